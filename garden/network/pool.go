// Package network owns container networking on the host: the per-server
// bridge, one network namespace and veth pair per container, addresses from
// the configured pool, host ports for NetIn, and the iptables rules for
// NAT, port mappings and NetOut. Every host-visible name carries the
// server's tag so two servers can share a machine.
package network

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
)

// ErrPoolExhausted is returned when no address or port is left.
var ErrPoolExhausted = errors.New("pool exhausted")

// IPPool hands out container addresses from a subnet. The first usable
// address is the bridge's (the gateway); the broadcast address is never used.
type IPPool struct {
	Subnet *net.IPNet

	mu    sync.Mutex
	inUse map[uint32]bool
	next  uint32
}

// NewIPPool parses cidr.
func NewIPPool(cidr string) (*IPPool, error) {
	_, subnet, err := net.ParseCIDR(cidr)
	if err != nil {
		return nil, err
	}
	return &IPPool{Subnet: subnet, inUse: map[uint32]bool{}}, nil
}

func (p *IPPool) base() uint32 { return binary.BigEndian.Uint32(p.Subnet.IP.To4()) }

func (p *IPPool) size() uint32 {
	ones, bits := p.Subnet.Mask.Size()
	return 1 << uint(bits-ones)
}

func toIP(v uint32) net.IP {
	ip := make(net.IP, 4)
	binary.BigEndian.PutUint32(ip, v)
	return ip
}

// Gateway is the bridge address.
func (p *IPPool) Gateway() net.IP { return toIP(p.base() + 1) }

// PrefixLen is the subnet's prefix length.
func (p *IPPool) PrefixLen() int { ones, _ := p.Subnet.Mask.Size(); return ones }

// Allocate returns a free container address, cycling through the pool so
// a just-freed address is not reused at once.
func (p *IPPool) Allocate() (net.IP, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	usable := p.size() - 3 // network, gateway, broadcast
	for i := uint32(0); i < usable; i++ {
		off := 2 + (p.next+i)%usable
		if !p.inUse[off] {
			p.inUse[off] = true
			p.next = (off - 2 + 1) % usable
			return toIP(p.base() + off), nil
		}
	}
	return nil, fmt.Errorf("network_pool %s: %w", p.Subnet, ErrPoolExhausted)
}

// Release returns ip to the pool.
func (p *IPPool) Release(ip net.IP) {
	v := ip.To4()
	if v == nil {
		return
	}
	p.mu.Lock()
	delete(p.inUse, binary.BigEndian.Uint32(v)-p.base())
	p.mu.Unlock()
}

// PortPool hands out host ports for NetIn.
type PortPool struct {
	Start, Size uint32

	mu    sync.Mutex
	inUse map[uint32]bool
	next  uint32
}

// Allocate returns a free port.
func (p *PortPool) Allocate() (uint32, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inUse == nil {
		p.inUse = map[uint32]bool{}
	}
	for i := uint32(0); i < p.Size; i++ {
		port := p.Start + (p.next+i)%p.Size
		if !p.inUse[port] {
			p.inUse[port] = true
			p.next = (port - p.Start + 1) % p.Size
			return port, nil
		}
	}
	return 0, fmt.Errorf("port pool: %w", ErrPoolExhausted)
}

// Release returns a port taken by Allocate; other ports are ignored.
func (p *PortPool) Release(port uint32) {
	p.mu.Lock()
	delete(p.inUse, port)
	p.mu.Unlock()
}
