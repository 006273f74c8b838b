// Internals of hull's V8 binding shared by hv8*.cc.
#ifndef HULL_HV8_INTERNAL_H_
#define HULL_HV8_INTERNAL_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "hv8.h"
#include "v8.h"

namespace hv8 {

using v8::Context;
using v8::EscapableHandleScope;
using v8::Function;
using v8::FunctionCallbackInfo;
using v8::FunctionTemplate;
using v8::Global;
using v8::HandleScope;
using v8::Isolate;
using v8::Local;
using v8::MaybeLocal;
using v8::Module;
using v8::Object;
using v8::ObjectTemplate;
using v8::Promise;
using v8::ScriptCompiler;
using v8::ScriptOrigin;
using v8::String;
using v8::TryCatch;
using v8::Value;

// ArrayBuffer memory counts against the VM's ceiling, per context: the
// buffers of a dropped context are freed only when V8 collects it, and do
// not count against the next one. Over the ceiling, allocations fail (V8
// throws a RangeError) and the VM records it. V8 may free buffers on
// other threads.
class CountingAllocator : public v8::ArrayBuffer::Allocator {
 public:
  CountingAllocator(size_t limit, std::atomic<bool>* exhausted)
      : base_(v8::ArrayBuffer::Allocator::NewDefaultAllocator()),
        limit_(limit),
        exhausted_(exhausted) {}
  ~CountingAllocator() override { delete base_; }
  void* Allocate(size_t n) override {
    if (!Reserve(n)) return nullptr;
    return Record(base_->Allocate(n), n);
  }
  void* AllocateUninitialized(size_t n) override {
    if (!Reserve(n)) return nullptr;
    return Record(base_->AllocateUninitialized(n), n);
  }
  void Free(void* p, size_t n) override {
    base_->Free(p, n);
    std::lock_guard<std::mutex> l(mu_);
    total_ -= n;
    auto it = owner_.find(p);
    if (it == owner_.end()) return;
    if (it->second == generation_) current_ -= n;
    owner_.erase(it);
  }
  size_t MaxAllocationSize() const override {
    return base_->MaxAllocationSize();
  }
  v8::PageAllocator* GetPageAllocator() override {
    return base_->GetPageAllocator();
  }
  // NewContext starts counting for a new context.
  void NewContext() {
    std::lock_guard<std::mutex> l(mu_);
    generation_++;
    current_ = 0;
  }
  size_t used() {
    std::lock_guard<std::mutex> l(mu_);
    return total_;
  }

 private:
  bool Reserve(size_t n) {
    std::lock_guard<std::mutex> l(mu_);
    if (current_ + n > limit_) {
      exhausted_->store(true);
      return false;
    }
    current_ += n;
    total_ += n;
    return true;
  }
  void* Record(void* p, size_t n) {
    std::lock_guard<std::mutex> l(mu_);
    if (p == nullptr) {
      current_ -= n;
      total_ -= n;
    } else {
      owner_[p] = generation_;
    }
    return p;
  }
  v8::ArrayBuffer::Allocator* base_;
  size_t limit_;
  std::atomic<bool>* exhausted_;
  std::mutex mu_;
  uint64_t generation_ = 0;
  size_t current_ = 0;  // bytes of the current context's buffers
  size_t total_ = 0;    // bytes of all live buffers
  std::unordered_map<void*, uint64_t> owner_;
};

struct Rejection {
  Global<Promise> promise;
  Global<Value> reason;
};

}  // namespace hv8

struct hv8_vm {
  using Isolate = v8::Isolate;
  template <class T>
  using Global = v8::Global<T>;
  using Context = v8::Context;
  using Module = v8::Module;
  using CountingAllocator = hv8::CountingAllocator;
  using Rejection = hv8::Rejection;

  uintptr_t handle = 0;
  Isolate* iso = nullptr;
  v8::SnapshotCreator* creator = nullptr;
  CountingAllocator* alloc = nullptr;
  std::unique_ptr<v8::MicrotaskQueue> queue;
  Global<Context> ctx;
  std::vector<std::pair<std::string, int>> hosts;
  // Modules of the current context by path, and paths by module identity
  // hash (hashes can collide: the module is compared too).
  std::unordered_map<std::string, Global<Module>> modules;
  std::unordered_multimap<int, std::string> module_paths;
  std::vector<std::string> module_order;
  std::vector<Rejection> rejections;
  std::string out, out2;  // result text until the next call
  size_t heap_limit = 0;
  size_t stack_size = 0;
  std::atomic<bool> exhausted{false};
  int depth = 0;  // nested entries on the running thread
  int resets = 0;
  bool job_failed = false;
  std::string job_error, job_stack;
  // A VM made from a blob: the blob and the module paths in it.
  const char* blob = nullptr;
  size_t blob_len = 0;
  v8::StartupData startup{nullptr, 0};
  std::vector<std::string> blob_modules;
};

namespace hv8 {

// kResetsPerCollection: dropped contexts are collected every this many
// resets. kCodeRangeSize: the process's code range (see hv8_new).
extern const int kResetsPerCollection;
extern const size_t kCodeRangeSize;
extern const intptr_t g_external_refs[];

hv8_vm* vm_of(Isolate* iso);
Local<String> str(Isolate* iso, const char* p, size_t n);
Local<String> str(Isolate* iso, const std::string& s);
void utf8(Isolate* iso, Local<Value> v, std::string* s);
void set_string(hv8_value* out, int kind, const std::string& s);
void convert(Isolate* iso, Local<Value> v, std::string* buf, hv8_value* out);
void exception(hv8_vm* vm, TryCatch& tc, hv8_value* out);

// Host functions and the other C++ functions JS calls.
void HostCallback(const FunctionCallbackInfo<Value>& info);
void ContinuationGet(const FunctionCallbackInfo<Value>& info);
void ContinuationSet(const FunctionCallbackInfo<Value>& info);
void ReturnData(const FunctionCallbackInfo<Value>& info);
void OnMessage(Local<v8::Message> message, Local<Value> error);
void OnInterrupt(Isolate* iso, void* data);

// HostRet collects what a Go host function returns.
struct HostRet {
  Isolate* iso;
  Local<Value> value;
  bool error = false;
  std::string message;
};

uintptr_t stack_low();
void setup_isolate(hv8_vm* vm);
Local<Context> make_context(hv8_vm* vm);
void drop_context(hv8_vm* vm);
void run_script(hv8_vm* vm, const char* src, size_t len,
                ScriptCompiler::CachedData* cached, hv8_value* out);

// Modules (hv8_modules.cc).
void remember_module(hv8_vm* vm, const std::string& path, Local<Module> m);
MaybeLocal<Module> load_module(hv8_vm* vm, Local<Context> ctx,
                               const std::string& path);
MaybeLocal<Module> ResolveCallback(Local<Context> ctx, Local<String> specifier,
                                   Local<v8::FixedArray> attributes,
                                   Local<Module> referrer);
MaybeLocal<Promise> ImportDynamically(Local<Context> ctx, Local<v8::Data> options,
                                      Local<Value> resource_name,
                                      Local<String> specifier,
                                      Local<v8::FixedArray> attributes);

// Enter makes vm's isolate and context current on this thread, locked
// when the VM is shared between threads over its life.
class Enter {
 public:
  explicit Enter(hv8_vm* vm)
      : vm_(vm),
        locker_(vm->creator ? nullptr : new v8::Locker(vm->iso)),
        scope_(vm->iso),
        handles_(vm->iso) {
    if (vm->depth++ == 0) {
      // JS gets stack_size bytes of this thread's stack, or what is left
      // of it.
      uintptr_t here = reinterpret_cast<uintptr_t>(&here);
      uintptr_t low = stack_low() + 64 * 1024;
      uintptr_t limit = here > vm->stack_size ? here - vm->stack_size : 0;
      if (low > 1 + 64 * 1024 && limit < low) limit = low;
      vm->iso->SetStackLimit(limit);
    }
    if (vm->ctx.IsEmpty()) make_context(vm);
    ctx_ = vm->ctx.Get(vm->iso);
    ctx_->Enter();
  }
  ~Enter() {
    ctx_->Exit();
    vm_->depth--;
    delete locker_;
  }
  Local<Context> context() const { return ctx_; }

 private:
  hv8_vm* vm_;
  v8::Locker* locker_;
  Isolate::Scope scope_;
  HandleScope handles_;
  Local<Context> ctx_;
};

}  // namespace hv8

#endif  // HULL_HV8_INTERNAL_H_
