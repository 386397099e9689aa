package runc

import (
	"bytes"
	"encoding/binary"
)

// initCode is x86-64 machine code for a minimal container init: it reaps
// children forever with wait4(-1), sleeping a second whenever it has none.
// As pid 1 of a pid namespace it ignores every signal it has no handler for,
// so only SIGKILL from the host stops it.
var initCode = []byte{
	0xbf, 0xff, 0xff, 0xff, 0xff, // mov edi, -1
	0x31, 0xf6, // xor esi, esi
	0x31, 0xd2, // xor edx, edx
	0x45, 0x31, 0xd2, // xor r10d, r10d
	0xb8, 0x3d, 0x00, 0x00, 0x00, // mov eax, 61 (wait4)
	0x0f, 0x05, // syscall
	0x48, 0x85, 0xc0, // test rax, rax
	0x79, 0xe8, // jns start
	0x48, 0x8d, 0x3d, 0x0b, 0x00, 0x00, 0x00, // lea rdi, [rip+timespec]
	0x31, 0xf6, // xor esi, esi
	0xb8, 0x23, 0x00, 0x00, 0x00, // mov eax, 35 (nanosleep)
	0x0f, 0x05, // syscall
	0xeb, 0xd6, // jmp start
	0x01, 0, 0, 0, 0, 0, 0, 0, // timespec.tv_sec = 1
	0, 0, 0, 0, 0, 0, 0, 0, // timespec.tv_nsec = 0
}

// InitBinary returns a static x86-64 ELF executable that does what initCode
// says. It needs nothing from the container's rootfs, so any image can be
// started with it bind-mounted in as pid 1.
func InitBinary() []byte {
	const base = 0x400000
	const headers = 64 + 56
	size := uint64(headers + len(initCode))
	var b bytes.Buffer
	b.Write([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	le := binary.LittleEndian
	w := func(v any) { _ = binary.Write(&b, le, v) }
	w(uint16(2))              // ET_EXEC
	w(uint16(0x3e))           // EM_X86_64
	w(uint32(1))              // EV_CURRENT
	w(uint64(base + headers)) // entry
	w(uint64(64))             // program header offset
	w(uint64(0))              // section header offset
	w(uint32(0))              // flags
	w(uint16(64))             // ELF header size
	w(uint16(56))             // program header entry size
	w(uint16(1))              // program header count
	w(uint16(64))             // section header entry size
	w(uint16(0))              // section header count
	w(uint16(0))              // section name table index
	w(uint32(1))              // PT_LOAD
	w(uint32(5))              // PF_R | PF_X
	w(uint64(0))              // offset
	w(uint64(base))           // vaddr
	w(uint64(base))           // paddr
	w(size)                   // file size
	w(size)                   // memory size
	w(uint64(0x1000))         // alignment
	b.Write(initCode)
	return b.Bytes()
}
