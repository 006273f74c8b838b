//go:build cgo && hull_v8

// hull's binding of V8: one isolate per VM, one context at a time, ES
// modules loaded through Go, microtasks run when Go asks, continuation
// data for AsyncLocalStorage, a heap ceiling, termination, and contexts
// copied from a snapshot of a prepared one. This file is the C interface
// (hv8.h); hv8_vm.cc and hv8_modules.cc hold the rest.

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mutex>

#include "hv8_internal.h"
#include "libplatform/libplatform.h"

using namespace hv8;

namespace {

std::unique_ptr<v8::Platform> g_platform;
std::once_flag g_init_once;

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
  // Every isolate of the process allocates its machine code from one
  // code range, sized by the first isolate made. V8's default (64 MiB)
  // runs out at a few dozen isolates with JIT code, and running out is
  // fatal; the range is address space only.
  params.constraints.set_code_range_size_in_bytes(kCodeRangeSize);
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
  vm->hosts.emplace_back(n, index);
  if (vm->ctx.IsEmpty()) return;
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
  delete vm->alloc;
  delete vm;
  if (data.data == nullptr || data.raw_size <= 0) {
    static thread_local std::string text;
    text = "V8 could not snapshot the prepared context";
    set_string(err, HV8_ERROR, text);
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
  // A VM without a blob gets a new plain context (with its host
  // functions), for the caller to prepare again.
  memset(err, 0, sizeof(*err));
  v8::Locker l(vm->iso);
  Isolate::Scope s(vm->iso);
  HandleScope h(vm->iso);
  drop_context(vm);
  vm->iso->ContextDisposedNotification();
  // Dropped contexts are collected every few resets: left to V8, an
  // isolate's garbage grows to tens of megabytes between collections and
  // idle engines keep theirs. A plain full collection this often keeps
  // the heap near one context's size for less CPU than V8's own
  // schedule (a memory-pressure collection would also release the pages
  // the next contexts are copied into).
  if (++vm->resets % kResetsPerCollection == 0)
    vm->iso->RequestGarbageCollectionForTesting(
        Isolate::GarbageCollectionType::kFullGarbageCollection);
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

void hv8_ret_bytes(void* ret, const char* p, size_t n) {
  HostRet* r = static_cast<HostRet*>(ret);
  Local<v8::ArrayBuffer> ab = v8::ArrayBuffer::New(r->iso, n);
  if (n > 0) memcpy(ab->GetBackingStore()->Data(), p, n);
  r->value = ab;
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
