//go:build cgo && hull_v8

// The VM's core: values crossing to Go, host functions, entering an
// isolate, isolate callbacks (rejections, heap ceiling, interrupts) and
// making contexts.

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "_cgo_export.h"
#include "hv8_internal.h"

namespace hv8 {

const int kResetsPerCollection = 4;
const size_t kCodeRangeSize = size_t(1) << 30;

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
  } else if (v->IsArrayBufferView()) {
    Local<v8::ArrayBufferView> view = v.As<v8::ArrayBufferView>();
    buf->resize(view->ByteLength());
    if (!buf->empty()) view->CopyContents(buf->data(), buf->size());
    set_string(out, HV8_BYTES, *buf);
  } else if (v->IsArrayBuffer() || v->IsSharedArrayBuffer()) {
    std::shared_ptr<v8::BackingStore> bs =
        v->IsArrayBuffer() ? v.As<v8::ArrayBuffer>()->GetBackingStore()
                           : v.As<v8::SharedArrayBuffer>()->GetBackingStore();
    buf->assign(static_cast<const char*>(bs->Data()), bs->ByteLength());
    set_string(out, HV8_BYTES, *buf);
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
#ifdef __APPLE__
    pthread_t self = pthread_self();
    low = reinterpret_cast<uintptr_t>(pthread_get_stackaddr_np(self)) -
          pthread_get_stacksize_np(self);
#else
    pthread_attr_t attr;
    void* addr = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      pthread_attr_getstack(&attr, &addr, &size);
      pthread_attr_destroy(&attr);
    }
    low = reinterpret_cast<uintptr_t>(addr);
#endif
    if (low == 0) low = 1;
  }
  return low;
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

// OnOOM and OnFatal end the process with one line saying why: V8 cannot
// recover from an allocation past its own hard limits (an array of 2^27
// holes filled, say) or an internal failure, in any isolate of the
// process. hull's memory ceiling stops runs long before ordinary
// allocations get there.
[[noreturn]] void die(const char* what, const char* location,
                      const char* detail) {
  fprintf(stderr,
          "hull: a JavaScript function made V8 fail (%s: %s%s%s); the "
          "process exits\n",
          what, location ? location : "", detail ? ": " : "",
          detail ? detail : "");
  fflush(stderr);
  _exit(2);
}

void OnOOM(const char* location, const v8::OOMDetails& details) {
  die(details.is_heap_oom ? "out of memory" : "out of process memory",
      location, details.detail);
}

void OnFatal(const char* location, const char* message) {
  die("fatal error", location, message);
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
  iso->SetOOMErrorHandler(OnOOM);
  // Atomics.wait would block the engine's thread outside any JS check.
  iso->SetAllowAtomicsWait(false);
  iso->SetFatalErrorHandler(OnFatal);
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
  vm->alloc->NewContext();
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

}  // namespace hv8
