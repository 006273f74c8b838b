//go:build cgo && hull_v8

// The prebuilt V8 library was compiled against glibc 2.38, whose headers
// redirect strtol, sscanf and friends to C23 variants (__isoc23_*) that
// older glibc (Debian 12 has 2.36) does not export. These forward them to
// the classic functions; on newer glibc they stand beside glibc's own.
// The C23 variants differ only in accepting "0b" binary prefixes, which
// V8 and ICU never parse.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((weak)) long __isoc23_strtol(const char* s, char** end, int base) { return strtol(s, end, base); }
__attribute__((weak)) long long __isoc23_strtoll(const char* s, char** end, int base) { return strtoll(s, end, base); }
__attribute__((weak)) unsigned long __isoc23_strtoul(const char* s, char** end, int base) { return strtoul(s, end, base); }
__attribute__((weak)) unsigned long long __isoc23_strtoull(const char* s, char** end, int base) { return strtoull(s, end, base); }

__attribute__((weak)) int __isoc23_sscanf(const char* s, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = vsscanf(s, format, ap);
  va_end(ap);
  return n;
}

__attribute__((weak)) int __isoc23_fscanf(FILE* f, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = vfscanf(f, format, ap);
  va_end(ap);
  return n;
}
