//go:build cgo && hull_v8

// hull's binding of V8: one isolate per VM, one context at a time, ES
// modules loaded through Go, microtasks run when Go asks, continuation
// data for AsyncLocalStorage, a heap ceiling, termination, and contexts
// copied from a snapshot of a prepared one.

#include "hv8.h"

#include <pthread.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "_cgo_export.h"
#include "libplatform/libplatform.h"
#include "v8.h"

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

namespace {

std::unique_ptr<v8::Platform> g_platform;
std::once_flag g_init_once;

// ArrayBuffer memory counts against the VM's ceiling; over it,
// allocations fail (V8 throws a RangeError) and the VM records it.
class CountingAllocator : public v8::ArrayBuffer::Allocator {
 public:
  CountingAllocator(size_t limit, std::atomic<bool>* exhausted)
      : base_(v8::ArrayBuffer::Allocator::NewDefaultAllocator()),
        limit_(limit),
        exhausted_(exhausted) {}
  ~CountingAllocator() override { delete base_; }
  void* Allocate(size_t n) override {
    if (!Reserve(n)) return nullptr;
    void* p = base_->Allocate(n);
    if (p == nullptr) used_ -= n;
    return p;
  }
  void* AllocateUninitialized(size_t n) override {
    if (!Reserve(n)) return nullptr;
    void* p = base_->AllocateUninitialized(n);
    if (p == nullptr) used_ -= n;
    return p;
  }
  void Free(void* p, size_t n) override {
    base_->Free(p, n);
    used_ -= n;
  }
  size_t MaxAllocationSize() const override {
    return base_->MaxAllocationSize();
  }
  v8::PageAllocator* GetPageAllocator() override {
    return base_->GetPageAllocator();
  }
  size_t used() const { return used_; }

 private:
  bool Reserve(size_t n) {
    size_t now = used_.fetch_add(n) + n;
    if (now > limit_) {
      used_ -= n;
      exhausted_->store(true);
      return false;
    }
    return true;
  }
  v8::ArrayBuffer::Allocator* base_;
  size_t limit_;
  std::atomic<bool>* exhausted_;
  std::atomic<size_t> used_{0};
};

struct Rejection {
  Global<Promise> promise;
  Global<Value> reason;
};

}  // namespace

struct hv8_vm {
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
  bool job_failed = false;
  std::string job_error, job_stack;
  // A VM made from a blob: the blob and the module paths in it.
  const char* blob = nullptr;
  size_t blob_len = 0;
  v8::StartupData startup{nullptr, 0};
  std::vector<std::string> blob_modules;
};

namespace {

hv8_vm* vm_of(Isolate* iso) { return static_cast<hv8_vm*>(iso->GetData(0)); }

Local<String> str(Isolate* iso, const char* p, size_t n) {
  return String::NewFromUtf8(iso, p, v8::NewStringType::kNormal,
                             static_cast<int>(n))
      .ToLocalChecked();
}

Local<String> str(Isolate* iso, const std::string& s) {
  return str(iso, s.data(), s.size());
}

// utf8 writes v's text into s.
void utf8(Isolate* iso, Local<Value> v, std::string* s) {
  Local<String> t;
  if (v->IsString()) {
    t = v.As<String>();
  } else {
    TryCatch tc(iso);
    if (!v->ToString(iso->GetCurrentContext()).ToLocal(&t)) {
      *s = "a value that cannot be converted to a string";
      return;
    }
  }
  size_t n = t->Utf8LengthV2(iso);
  s->resize(n);
  if (n > 0) t->WriteUtf8V2(iso, s->data(), n);
}

void set_string(hv8_value* out, int kind, const std::string& s) {
  out->kind = kind;
  out->str = s.data();
  out->len = s.size();
}

// convert describes v for Go; strings go to buf.
void convert(Isolate* iso, Local<Value> v, std::string* buf, hv8_value* out) {
  memset(out, 0, sizeof(*out));
  if (v.IsEmpty() || v->IsUndefined()) {
    out->kind = HV8_UNDEFINED;
  } else if (v->IsNull()) {
    out->kind = HV8_NULL;
  } else if (v->IsBoolean()) {
    out->kind = HV8_BOOL;
    out->num = v->IsTrue() ? 1 : 0;
  } else if (v->IsInt32()) {
    out->kind = HV8_INT;
    out->num = v.As<v8::Int32>()->Value();
  } else if (v->IsNumber()) {
    out->kind = HV8_FLOAT;
    out->num = v.As<v8::Number>()->Value();
  } else {
    utf8(iso, v, buf);
    set_string(out, HV8_STRING, *buf);
  }
}

// exception fills out with what tc caught (or the termination).
void exception(hv8_vm* vm, TryCatch& tc, hv8_value* out) {
  memset(out, 0, sizeof(*out));
  if (tc.HasTerminated() || vm->iso->IsExecutionTerminating()) {
    out->kind = HV8_TERMINATED;
    return;
  }
  Isolate* iso = vm->iso;
  Local<Value> e = tc.Exception();
  utf8(iso, e, &vm->out);
  set_string(out, HV8_ERROR, vm->out);
  vm->out2.clear();
  Local<Value> st;
  if (e->IsObject() &&
      tc.StackTrace(iso->GetCurrentContext()).ToLocal(&st) && st->IsString()) {
    utf8(iso, st, &vm->out2);
  }
  out->stack = vm->out2.data();
  out->stack_len = vm->out2.size();
}

// ---- host functions ----

struct HostRet {
  Isolate* iso;
  Local<Value> value;
  bool error = false;
  std::string message;
};

void HostCallback(const FunctionCallbackInfo<Value>& info) {
  Isolate* iso = info.GetIsolate();
  hv8_vm* vm = vm_of(iso);
  int index = info.Data().As<v8::Int32>()->Value();
  int argc = info.Length();
  hv8_value small[4];
  std::string small_bufs[4];
  std::vector<hv8_value> big;
  std::vector<std::string> big_bufs;
  hv8_value* args = small;
  std::string* bufs = small_bufs;
  if (argc > 4) {
    big.resize(argc);
    big_bufs.resize(argc);
    args = big.data();
    bufs = big_bufs.data();
  }
  for (int i = 0; i < argc; i++) convert(iso, info[i], &bufs[i], &args[i]);
  HostRet ret{iso};
  hv8GoHost(vm->handle, index, args, argc, &ret);
  if (ret.error) {
    iso->ThrowException(v8::Exception::Error(str(iso, ret.message)));
    return;
  }
  if (!ret.value.IsEmpty()) info.GetReturnValue().Set(ret.value);
}

void ContinuationGet(const FunctionCallbackInfo<Value>& info) {
  info.GetReturnValue().Set(
      info.GetIsolate()->GetContinuationPreservedEmbedderData());
}

void ContinuationSet(const FunctionCallbackInfo<Value>& info) {
  Isolate* iso = info.GetIsolate();
  iso->SetContinuationPreservedEmbedderData(
      info.Length() > 0 ? info[0] : v8::Undefined(iso).As<Value>());
}

// ReturnData is a promise handler that returns its data (a module
// namespace, after the module evaluated).
void ReturnData(const FunctionCallbackInfo<Value>& info) {
  info.GetReturnValue().Set(info.Data());
}

void OnMessage(Local<v8::Message> message, Local<Value> error);

// The C++ functions a snapshot refers to, in a fixed order.
const intptr_t g_external_refs[] = {
    reinterpret_cast<intptr_t>(HostCallback),
    reinterpret_cast<intptr_t>(ContinuationGet),
    reinterpret_cast<intptr_t>(ContinuationSet),
    reinterpret_cast<intptr_t>(ReturnData),
    reinterpret_cast<intptr_t>(OnMessage),
    0,
};

void add_function(Isolate* iso, Local<ObjectTemplate> g, const char* name,
                  v8::FunctionCallback cb, Local<Value> data) {
  g->Set(iso, name, FunctionTemplate::New(iso, cb, data));
}

// ---- entering a VM ----

// stack_low returns the lowest address of the calling thread's stack.
uintptr_t stack_low() {
  static thread_local uintptr_t low = 0;
  if (low == 0) {
    pthread_attr_t attr;
    void* addr = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      pthread_attr_getstack(&attr, &addr, &size);
      pthread_attr_destroy(&attr);
    }
    low = reinterpret_cast<uintptr_t>(addr);
    if (low == 0) low = 1;
  }
  return low;
}

Local<Context> make_context(hv8_vm* vm);

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

// ---- modules ----

MaybeLocal<Module> load_module(hv8_vm* vm, Local<Context> ctx,
                               const std::string& path);

std::string path_of(hv8_vm* vm, Local<Module> m) {
  auto range = vm->module_paths.equal_range(m->GetIdentityHash());
  for (auto it = range.first; it != range.second; ++it) {
    auto found = vm->modules.find(it->second);
    if (found != vm->modules.end() && found->second.Get(vm->iso) == m)
      return it->second;
  }
  return "";
}

void remember_module(hv8_vm* vm, const std::string& path, Local<Module> m) {
  vm->modules[path].Reset(vm->iso, m);
  vm->module_paths.emplace(m->GetIdentityHash(), path);
  vm->module_order.push_back(path);
}

// resolve asks Go for the module path of specifier imported from base.
bool resolve(hv8_vm* vm, const std::string& base, const std::string& spec,
             std::string* path) {
  int rc = hv8GoResolve(vm->handle, const_cast<char*>(base.data()),
                        base.size(), const_cast<char*>(spec.data()),
                        spec.size(), path);
  if (rc != 0) {
    vm->iso->ThrowException(
        v8::Exception::Error(str(vm->iso, "module normalization failed: " + *path)));
    return false;
  }
  return true;
}

// Compiled module code, shared by every isolate of the process, by path
// and source. V8 checks a cache against the source before using it.
std::mutex g_cache_mu;
std::unordered_map<std::string, std::string> g_code_cache;
size_t g_code_cache_bytes = 0;
const size_t kMaxCodeCache = 128u << 20;

std::string cache_key(const std::string& path, const std::string& src) {
  return path + '\0' + std::to_string(std::hash<std::string>{}(src)) + ':' +
         std::to_string(src.size());
}

MaybeLocal<Module> load_module(hv8_vm* vm, Local<Context> ctx,
                               const std::string& path) {
  Isolate* iso = vm->iso;
  auto found = vm->modules.find(path);
  if (found != vm->modules.end()) return found->second.Get(iso);
  std::string src;
  if (hv8GoLoad(vm->handle, const_cast<char*>(path.data()), path.size(),
                &src) != 0) {
    iso->ThrowException(
        v8::Exception::Error(str(iso, "module load failed: " + src)));
    return {};
  }
  ScriptOrigin origin(str(iso, path), 0, 0, false, -1, Local<Value>(), false,
                      false, true);
  std::string key = cache_key(path, src);
  ScriptCompiler::CachedData* cached = nullptr;
  {
    // A copy: the cache may be cleared while V8 reads it.
    std::lock_guard<std::mutex> l(g_cache_mu);
    auto c = g_code_cache.find(key);
    if (c != g_code_cache.end()) {
      uint8_t* bytes = new uint8_t[c->second.size()];
      memcpy(bytes, c->second.data(), c->second.size());
      cached = new ScriptCompiler::CachedData(
          bytes, static_cast<int>(c->second.size()),
          ScriptCompiler::CachedData::BufferOwned);
    }
  }
  ScriptCompiler::Source source(str(iso, src), origin, cached);
  Local<Module> m;
  if (!ScriptCompiler::CompileModule(
           iso, &source,
           cached ? ScriptCompiler::kConsumeCodeCache
                  : ScriptCompiler::kNoCompileOptions)
           .ToLocal(&m)) {
    return {};
  }
  if (cached == nullptr || source.GetCachedData()->rejected) {
    std::unique_ptr<ScriptCompiler::CachedData> made(
        ScriptCompiler::CreateCodeCache(m->GetUnboundModuleScript()));
    if (made) {
      std::lock_guard<std::mutex> l(g_cache_mu);
      if (g_code_cache_bytes + made->length > kMaxCodeCache) {
        g_code_cache.clear();
        g_code_cache_bytes = 0;
      }
      g_code_cache[key] = std::string(
          reinterpret_cast<const char*>(made->data), made->length);
      g_code_cache_bytes += made->length;
    }
  }
  remember_module(vm, path, m);
  Local<v8::FixedArray> reqs = m->GetModuleRequests();
  for (int i = 0; i < reqs->Length(); i++) {
    Local<v8::ModuleRequest> r = reqs->Get(ctx, i).As<v8::ModuleRequest>();
    std::string spec, dep;
    utf8(iso, r->GetSpecifier(), &spec);
    if (!resolve(vm, path, spec, &dep)) return {};
    if (load_module(vm, ctx, dep).IsEmpty()) return {};
  }
  return m;
}

MaybeLocal<Module> ResolveCallback(Local<Context> ctx, Local<String> specifier,
                                   Local<v8::FixedArray>, Local<Module> referrer) {
  Isolate* iso = ctx->GetIsolate();
  hv8_vm* vm = vm_of(iso);
  std::string spec, path;
  utf8(iso, specifier, &spec);
  if (!resolve(vm, path_of(vm, referrer), spec, &path)) return {};
  return load_module(vm, ctx, path);
}

MaybeLocal<Promise> ImportDynamically(Local<Context> ctx, Local<v8::Data>,
                                      Local<Value> resource_name,
                                      Local<String> specifier,
                                      Local<v8::FixedArray>) {
  Isolate* iso = ctx->GetIsolate();
  hv8_vm* vm = vm_of(iso);
  EscapableHandleScope scope(iso);
  Local<Promise::Resolver> resolver;
  if (!Promise::Resolver::New(ctx).ToLocal(&resolver)) return {};
  TryCatch tc(iso);
  std::string base, spec, path;
  if (!resource_name.IsEmpty() && resource_name->IsString())
    utf8(iso, resource_name, &base);
  utf8(iso, specifier, &spec);
  Local<Module> m;
  Local<Value> evaluated;
  bool ok = resolve(vm, base, spec, &path) &&
            load_module(vm, ctx, path).ToLocal(&m) &&
            (m->GetStatus() != Module::kUninstantiated ||
             m->InstantiateModule(ctx, ResolveCallback).FromMaybe(false)) &&
            m->Evaluate(ctx).ToLocal(&evaluated);
  if (!ok) {
    if (tc.HasTerminated()) {
      tc.ReThrow();
      return {};
    }
    resolver->Reject(ctx, tc.Exception()).Check();
    return scope.Escape(resolver->GetPromise());
  }
  Local<Function> handler;
  Local<Promise> chained;
  if (!Function::New(ctx, ReturnData, m->GetModuleNamespace())
           .ToLocal(&handler) ||
      !evaluated.As<Promise>()->Then(ctx, handler).ToLocal(&chained)) {
    if (tc.HasTerminated()) {
      tc.ReThrow();
      return {};
    }
    resolver->Reject(ctx, tc.Exception()).Check();
    return scope.Escape(resolver->GetPromise());
  }
  return scope.Escape(chained);
}

// ---- isolate callbacks ----

void OnReject(v8::PromiseRejectMessage msg) {
  Local<Promise> p = msg.GetPromise();
  Isolate* iso = p->GetIsolate();
  hv8_vm* vm = vm_of(iso);
  switch (msg.GetEvent()) {
    case v8::kPromiseRejectWithNoHandler: {
      Rejection r;
      r.promise.Reset(iso, p);
      Local<Value> v = msg.GetValue();
      if (!v.IsEmpty()) r.reason.Reset(iso, v);
      vm->rejections.push_back(std::move(r));
      break;
    }
    case v8::kPromiseHandlerAddedAfterReject:
      for (size_t i = 0; i < vm->rejections.size(); i++) {
        if (vm->rejections[i].promise.Get(iso) == p) {
          vm->rejections.erase(vm->rejections.begin() + i);
          break;
        }
      }
      break;
    default:
      break;
  }
}

// OnMessage records the first exception a microtask let escape.
void OnMessage(Local<v8::Message> message, Local<Value> error) {
  Isolate* iso = message->GetIsolate();
  hv8_vm* vm = vm_of(iso);
  if (vm->job_failed) return;
  vm->job_failed = true;
  utf8(iso, error, &vm->job_error);
  vm->job_stack.clear();
  if (error->IsObject()) {
    TryCatch tc(iso);
    Local<Value> st;
    if (error.As<Object>()
            ->Get(iso->GetCurrentContext(), str(iso, "stack", 5))
            .ToLocal(&st) &&
        st->IsString())
      utf8(iso, st, &vm->job_stack);
  }
}

size_t OnNearHeapLimit(void* data, size_t current, size_t initial) {
  hv8_vm* vm = static_cast<hv8_vm*>(data);
  vm->exhausted = true;
  vm->iso->TerminateExecution();
  // Room to unwind: the run stops at its next interrupt check, and the VM
  // is discarded after it.
  return current + 4 * initial + (64u << 20);
}

void OnInterrupt(Isolate* iso, void*) {
  hv8_vm* vm = vm_of(iso);
  if (hv8GoCheck(vm->handle) != 0) iso->TerminateExecution();
}

void setup_isolate(hv8_vm* vm) {
  Isolate* iso = vm->iso;
  iso->SetData(0, vm);
  iso->SetMicrotasksPolicy(v8::MicrotasksPolicy::kExplicit);
  iso->SetPromiseRejectCallback(OnReject);
  iso->SetHostImportModuleDynamicallyCallback(ImportDynamically);
  iso->AddMessageListenerWithErrorLevel(
      OnMessage, Isolate::kMessageError | Isolate::kMessageWarning);
  iso->AddNearHeapLimitCallback(OnNearHeapLimit, vm);
  iso->SetCaptureStackTraceForUncaughtExceptions(true, 16);
}

Local<Context> make_context(hv8_vm* vm) {
  Isolate* iso = vm->iso;
  EscapableHandleScope scope(iso);
  Local<Context> ctx;
  if (vm->blob != nullptr) {
    vm->queue = v8::MicrotaskQueue::New(iso, v8::MicrotasksPolicy::kExplicit);
    ctx = Context::FromSnapshot(iso, 0, v8::DeserializeInternalFieldsCallback(),
                                nullptr, MaybeLocal<Value>(), vm->queue.get())
              .ToLocalChecked();
    for (size_t i = 0; i < vm->blob_modules.size(); i++) {
      Local<Module> m;
      if (ctx->GetDataFromSnapshotOnce<Module>(i).ToLocal(&m))
        remember_module(vm, vm->blob_modules[i], m);
    }
  } else {
    Local<ObjectTemplate> g = ObjectTemplate::New(iso);
    for (auto& h : vm->hosts)
      add_function(iso, g, h.first.c_str(), HostCallback,
                   v8::Int32::New(iso, h.second));
    add_function(iso, g, "__hull_continuation_get", ContinuationGet,
                 Local<Value>());
    add_function(iso, g, "__hull_continuation_set", ContinuationSet,
                 Local<Value>());
    // A creator VM keeps the isolate's own queue: a snapshot cannot hold
    // a context bound to another.
    if (vm->creator == nullptr)
      vm->queue =
          v8::MicrotaskQueue::New(iso, v8::MicrotasksPolicy::kExplicit);
    ctx = Context::New(iso, nullptr, g, MaybeLocal<Value>(),
                       v8::DeserializeInternalFieldsCallback(),
                       vm->queue.get());
    // No WebAssembly: its memories live outside the heap ceiling.
    Context::Scope cs(ctx);
    ctx->Global()->Delete(ctx, str(iso, "WebAssembly", 11)).Check();
  }
  vm->ctx.Reset(iso, ctx);
  return scope.Escape(ctx);
}

void drop_context(hv8_vm* vm) {
  vm->modules.clear();
  vm->module_paths.clear();
  vm->module_order.clear();
  vm->rejections.clear();
  vm->ctx.Reset();
  vm->queue.reset();
}

void run_script(hv8_vm* vm, const char* src, size_t len,
                ScriptCompiler::CachedData* cached, hv8_value* out) {
  Enter e(vm);
  Isolate* iso = vm->iso;
  Local<Context> ctx = e.context();
  TryCatch tc(iso);
  ScriptOrigin origin(str(iso, "<eval>", 6));
  ScriptCompiler::Source source(str(iso, src, len), origin, cached);
  Local<v8::UnboundScript> unbound;
  Local<Value> result;
  if (!ScriptCompiler::CompileUnboundScript(
           iso, &source,
           cached ? ScriptCompiler::kConsumeCodeCache
                  : ScriptCompiler::kNoCompileOptions)
           .ToLocal(&unbound) ||
      !unbound->BindToCurrentContext()->Run(ctx).ToLocal(&result)) {
    exception(vm, tc, out);
    return;
  }
  convert(iso, result, &vm->out, out);
}


}  // namespace

extern "C" {

const char* hv8_init(const char* flags) {
  static std::string err;
  std::call_once(g_init_once, [&] {
    // Dates and Intl run in UTC, as Convex's do, whatever the host's zone.
    setenv("TZ", "UTC", 1);
    tzset();
    v8::V8::SetFlagsFromString(flags);
    g_platform = v8::platform::NewDefaultPlatform();
    v8::V8::InitializePlatform(g_platform.get());
    if (!v8::V8::Initialize()) err = "V8 failed to initialize";
  });
  return err.empty() ? nullptr : err.c_str();
}

hv8_vm* hv8_new(uintptr_t handle, size_t heap_limit, size_t stack_size,
                const char* blob, size_t blob_len, int creator) {
  hv8_vm* vm = new hv8_vm();
  vm->handle = handle;
  vm->heap_limit = heap_limit;
  vm->stack_size = stack_size;
  vm->alloc = new CountingAllocator(heap_limit, &vm->exhausted);
  Isolate::CreateParams params;
  params.array_buffer_allocator = vm->alloc;
  params.constraints.ConfigureDefaultsFromHeapSize(0, heap_limit);
  params.external_references = g_external_refs;
  if (blob != nullptr) {
    // The blob: a count of modules, their NUL-terminated paths, then
    // V8's snapshot.
    uint32_t n = 0;
    memcpy(&n, blob, 4);
    size_t at = 4;
    for (uint32_t i = 0; i < n; i++) {
      std::string p(blob + at);
      at += p.size() + 1;
      vm->blob_modules.push_back(p);
    }
    vm->blob = blob;
    vm->blob_len = blob_len;
    vm->startup = v8::StartupData{blob + at, static_cast<int>(blob_len - at)};
    params.snapshot_blob = &vm->startup;
  }
  if (creator) {
    vm->creator = new v8::SnapshotCreator(params);
    vm->iso = vm->creator->GetIsolate();
  } else {
    vm->iso = Isolate::New(params);
  }
  setup_isolate(vm);
  return vm;
}

void hv8_dispose(hv8_vm* vm) {
  if (vm->iso != nullptr) {
    {
      v8::Locker* l = vm->creator ? nullptr : new v8::Locker(vm->iso);
      Isolate::Scope s(vm->iso);
      drop_context(vm);
      delete l;
    }
    if (vm->creator != nullptr) {
      delete vm->creator;
    } else {
      vm->iso->Dispose();
    }
  }
  delete vm->alloc;
  delete vm;
}

void hv8_register(hv8_vm* vm, const char* name, size_t name_len, int index) {
  std::string n(name, name_len);
  if (vm->ctx.IsEmpty()) {
    vm->hosts.emplace_back(n, index);
    return;
  }
  Enter e(vm);
  Isolate* iso = vm->iso;
  Local<Context> ctx = e.context();
  Local<Function> f =
      FunctionTemplate::New(iso, HostCallback, v8::Int32::New(iso, index))
          ->GetFunction(ctx)
          .ToLocalChecked();
  ctx->Global()->Set(ctx, str(iso, n), f).Check();
}

void hv8_eval(hv8_vm* vm, const char* src, size_t len, hv8_value* out) {
  run_script(vm, src, len, nullptr, out);
}

void hv8_call(hv8_vm* vm, const char* name, size_t name_len, const char* args,
              const size_t* lens, int argc, hv8_value* out) {
  Enter e(vm);
  Isolate* iso = vm->iso;
  Local<Context> ctx = e.context();
  TryCatch tc(iso);
  Local<Value> fv;
  if (!ctx->Global()->Get(ctx, str(iso, name, name_len)).ToLocal(&fv)) {
    exception(vm, tc, out);
    return;
  }
  if (!fv->IsFunction()) {
    memset(out, 0, sizeof(*out));
    vm->out = std::string(name, name_len) + " is not a function";
    set_string(out, HV8_ERROR, vm->out);
    return;
  }
  Local<Value> small[8];
  std::vector<Local<Value>> big;
  Local<Value>* argv = small;
  if (argc > 8) {
    big.resize(argc);
    argv = big.data();
  }
  size_t at = 0;
  for (int i = 0; i < argc; i++) {
    argv[i] = str(iso, args + at, lens[i]);
    at += lens[i];
  }
  Local<Value> result;
  if (!fv.As<Function>()->Call(ctx, ctx->Global(), argc, argv).ToLocal(&result)) {
    exception(vm, tc, out);
    return;
  }
  convert(iso, result, &vm->out, out);
}

void hv8_run_jobs(hv8_vm* vm, hv8_value* out) {
  Enter e(vm);
  Isolate* iso = vm->iso;
  memset(out, 0, sizeof(*out));
  vm->job_failed = false;
  TryCatch tc(iso);
  if (vm->queue)
    vm->queue->PerformCheckpoint(iso);
  else
    iso->PerformMicrotaskCheckpoint();
  if (tc.HasTerminated() || iso->IsExecutionTerminating()) {
    out->kind = HV8_TERMINATED;
    return;
  }
  if (vm->job_failed) {
    set_string(out, HV8_ERROR, vm->job_error);
    out->stack = vm->job_stack.data();
    out->stack_len = vm->job_stack.size();
  }
}

void hv8_compile(hv8_vm* vm, const char* src, size_t len, hv8_value* out) {
  Enter e(vm);
  Isolate* iso = vm->iso;
  TryCatch tc(iso);
  ScriptOrigin origin(str(iso, "<eval>", 6));
  ScriptCompiler::Source source(str(iso, src, len), origin);
  Local<v8::UnboundScript> unbound;
  if (!ScriptCompiler::CompileUnboundScript(iso, &source).ToLocal(&unbound)) {
    exception(vm, tc, out);
    return;
  }
  std::unique_ptr<ScriptCompiler::CachedData> cache(
      ScriptCompiler::CreateCodeCache(unbound));
  memset(out, 0, sizeof(*out));
  vm->out.assign(reinterpret_cast<const char*>(cache->data), cache->length);
  set_string(out, HV8_STRING, vm->out);
}

void hv8_eval_cached(hv8_vm* vm, const char* src, size_t len,
                     const char* cache, size_t cache_len, hv8_value* out) {
  auto* cached = new ScriptCompiler::CachedData(
      reinterpret_cast<const uint8_t*>(cache), static_cast<int>(cache_len),
      ScriptCompiler::CachedData::BufferNotOwned);
  run_script(vm, src, len, cached, out);
}

void hv8_terminate(hv8_vm* vm) { vm->iso->TerminateExecution(); }

void hv8_cancel_terminate(hv8_vm* vm) { vm->iso->CancelTerminateExecution(); }

void hv8_request_check(hv8_vm* vm) {
  vm->iso->RequestInterrupt(OnInterrupt, nullptr);
}

int hv8_memory_exhausted(hv8_vm* vm) { return vm->exhausted ? 1 : 0; }

int hv8_rejections(hv8_vm* vm) { return static_cast<int>(vm->rejections.size()); }

void hv8_rejection(hv8_vm* vm, int i, hv8_value* out) {
  Enter e(vm);
  memset(out, 0, sizeof(*out));
  Rejection& r = vm->rejections[i];
  if (r.reason.IsEmpty()) {
    vm->out = "a rejected promise";
  } else {
    utf8(vm->iso, r.reason.Get(vm->iso), &vm->out);
  }
  set_string(out, HV8_STRING, vm->out);
}

void hv8_clear_rejections(hv8_vm* vm) {
  v8::Locker* l = vm->creator ? nullptr : new v8::Locker(vm->iso);
  vm->rejections.clear();
  delete l;
}

int hv8_create_blob(hv8_vm* vm, char** blob, size_t* blob_len, hv8_value* err) {
  memset(err, 0, sizeof(*err));
  if (vm->creator == nullptr) {
    vm->out = "not a snapshot creator";
    set_string(err, HV8_ERROR, vm->out);
    return -1;
  }
  std::vector<std::string> paths;
  {
    Isolate::Scope s(vm->iso);
    HandleScope h(vm->iso);
    Local<Context> ctx = vm->ctx.Get(vm->iso);
    vm->creator->SetDefaultContext(Context::New(vm->iso));
    vm->creator->AddContext(ctx);
    for (auto& p : vm->module_order) {
      vm->creator->AddData(ctx, vm->modules[p].Get(vm->iso));
      paths.push_back(p);
    }
    drop_context(vm);
  }
  v8::StartupData data =
      vm->creator->CreateBlob(v8::SnapshotCreator::FunctionCodeHandling::kKeep);
  delete vm->creator;
  vm->creator = nullptr;
  vm->iso = nullptr;
  if (data.data == nullptr || data.raw_size <= 0) {
    vm->out = "V8 could not snapshot the prepared context";
    set_string(err, HV8_ERROR, vm->out);
    return -1;
  }
  std::string head;
  uint32_t n = static_cast<uint32_t>(paths.size());
  head.append(reinterpret_cast<const char*>(&n), 4);
  for (auto& p : paths) {
    head.append(p);
    head.push_back('\0');
  }
  *blob_len = head.size() + data.raw_size;
  *blob = static_cast<char*>(malloc(*blob_len));
  memcpy(*blob, head.data(), head.size());
  memcpy(*blob + head.size(), data.data, data.raw_size);
  delete[] data.data;
  return 0;
}

void hv8_free(void* p) { free(p); }

int hv8_reset_context(hv8_vm* vm, hv8_value* err) {
  memset(err, 0, sizeof(*err));
  v8::Locker l(vm->iso);
  Isolate::Scope s(vm->iso);
  HandleScope h(vm->iso);
  drop_context(vm);
  vm->iso->ContextDisposedNotification();
  vm->iso->SetContinuationPreservedEmbedderData(v8::Undefined(vm->iso));
  vm->iso->CancelTerminateExecution();
  vm->exhausted = false;
  TryCatch tc(vm->iso);
  make_context(vm);
  return 0;
}

void hv8_heap(hv8_vm* vm, size_t* used, size_t* total, size_t* external) {
  v8::Locker l(vm->iso);
  v8::HeapStatistics s;
  vm->iso->GetHeapStatistics(&s);
  *used = s.used_heap_size();
  *total = s.total_heap_size();
  *external = vm->alloc->used();
}

void hv8_ret_string(void* ret, const char* p, size_t n) {
  HostRet* r = static_cast<HostRet*>(ret);
  r->value = str(r->iso, p, n);
}

void hv8_ret_number(void* ret, double v) {
  HostRet* r = static_cast<HostRet*>(ret);
  r->value = v8::Number::New(r->iso, v);
}

void hv8_ret_bool(void* ret, int v) {
  HostRet* r = static_cast<HostRet*>(ret);
  r->value = v8::Boolean::New(r->iso, v != 0);
}

void hv8_ret_null(void* ret) {
  HostRet* r = static_cast<HostRet*>(ret);
  r->value = v8::Null(r->iso);
}

void hv8_ret_error(void* ret, const char* p, size_t n) {
  HostRet* r = static_cast<HostRet*>(ret);
  r->error = true;
  r->message.assign(p, n);
}

void hv8_buf_set(void* buf, const char* p, size_t n) {
  static_cast<std::string*>(buf)->assign(p, n);
}

}  // extern "C"
