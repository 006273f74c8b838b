//go:build unix && !linux

package quickjs

const mapNoReserve = 0
