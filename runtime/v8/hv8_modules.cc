//go:build cgo && hull_v8

// ES modules: loading a graph through Go, a code cache shared by the
// process's isolates, static resolution and dynamic import().

#include <string.h>

#include <mutex>

#include "_cgo_export.h"
#include "hv8_internal.h"

namespace hv8 {

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
  // A snapshot creator may not make a code cache (V8 aborts the process).
  if (vm->creator == nullptr &&
      (cached == nullptr || source.GetCachedData()->rejected)) {
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

}  // namespace hv8
