// hull's C interface to V8 (hv8.cc). Go calls these functions; V8 calls
// back into Go through the functions cgo exports from callbacks.go.
#ifndef HULL_HV8_H_
#define HULL_HV8_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hv8_vm hv8_vm;

// Kinds of hv8_value.
enum {
  HV8_UNDEFINED = 0,
  HV8_NULL = 1,
  HV8_BOOL = 2,
  HV8_INT = 3,
  HV8_FLOAT = 4,
  HV8_STRING = 5,
  // An exception escaped: str is its text, stack its stack.
  HV8_ERROR = 6,
  // Execution was terminated (interrupt, CPU budget, memory ceiling).
  HV8_TERMINATED = 7,
  // The bytes of an ArrayBuffer or a typed array: str and len.
  HV8_BYTES = 8,
};

// hv8_value is a value crossing to Go. Strings point into memory the VM
// owns until its next call (results) or until the host function returns
// (arguments).
typedef struct {
  int kind;
  double num;
  const char* str;
  size_t len;
  const char* stack;
  size_t stack_len;
} hv8_value;

// hv8_init initializes V8 once per process with the given flags. It
// returns NULL, or a message saying why V8 cannot start.
const char* hv8_init(const char* flags);

// hv8_new creates a VM. blob (from hv8_create_blob, kept alive by the
// caller until the VM is disposed) makes every context of the VM a copy
// of the snapshotted one; creator makes a VM whose state hv8_create_blob
// can snapshot (it must then be used from one OS thread only).
hv8_vm* hv8_new(uintptr_t handle, size_t heap_limit, size_t stack_size,
                const char* blob, size_t blob_len, int creator);
void hv8_dispose(hv8_vm* vm);

// hv8_register defines the global function name, which calls Go's host
// function number index.
void hv8_register(hv8_vm* vm, const char* name, size_t name_len, int index);

void hv8_eval(hv8_vm* vm, const char* src, size_t len, hv8_value* out);
// hv8_call calls the global function name with string arguments: args
// holds them one after the other, lens their lengths.
void hv8_call(hv8_vm* vm, const char* name, size_t name_len, const char* args,
              const size_t* lens, int argc, hv8_value* out);
// hv8_run_jobs runs the pending microtasks; out is undefined, or the
// error or termination that stopped them.
void hv8_run_jobs(hv8_vm* vm, hv8_value* out);

// hv8_compile returns in out (a string) the code cache of script src;
// hv8_eval_cached runs src with that cache.
void hv8_compile(hv8_vm* vm, const char* src, size_t len, hv8_value* out);
void hv8_eval_cached(hv8_vm* vm, const char* src, size_t len,
                     const char* cache, size_t cache_len, hv8_value* out);

// Termination and interrupts; safe from any thread while the VM lives.
void hv8_terminate(hv8_vm* vm);
void hv8_cancel_terminate(hv8_vm* vm);
void hv8_request_check(hv8_vm* vm);

// hv8_memory_exhausted reports whether the VM hit its memory ceiling since
// its context was made.
int hv8_memory_exhausted(hv8_vm* vm);

// Promises rejected with no handler: how many, the text of one (as
// String(reason)), and forgetting them.
int hv8_rejections(hv8_vm* vm);
void hv8_rejection(hv8_vm* vm, int i, hv8_value* out);
void hv8_clear_rejections(hv8_vm* vm);

// hv8_create_blob snapshots a creator VM's context (with its evaluated
// modules) into *blob (malloc'd; free with hv8_free) and disposes the VM.
// It returns 0, or -1 with the reason in err.
int hv8_create_blob(hv8_vm* vm, char** blob, size_t* blob_len, hv8_value* err);
void hv8_free(void* p);

// hv8_reset_context replaces the context of a VM made from a blob with a
// fresh copy of the snapshotted one. It returns 0, or -1 with the reason
// in err.
int hv8_reset_context(hv8_vm* vm, hv8_value* err);

// hv8_heap reports the VM's heap: used and total bytes, and bytes of
// array buffers outside it.
void hv8_heap(hv8_vm* vm, size_t* used, size_t* total, size_t* external);

// Results a Go host function hands back through ret.
void hv8_ret_string(void* ret, const char* p, size_t n);
void hv8_ret_number(void* ret, double v);
void hv8_ret_bool(void* ret, int v);
void hv8_ret_null(void* ret);
// hv8_ret_bytes returns a new ArrayBuffer holding a copy of p[0:n].
void hv8_ret_bytes(void* ret, const char* p, size_t n);
void hv8_ret_error(void* ret, const char* p, size_t n);

// hv8_buf_set fills a string buffer V8 passed to a Go callback.
void hv8_buf_set(void* buf, const char* p, size_t n);

#ifdef __cplusplus
}
#endif

#endif  // HULL_HV8_H_
