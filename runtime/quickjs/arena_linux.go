package quickjs

import "syscall"

const mapNoReserve = syscall.MAP_NORESERVE
