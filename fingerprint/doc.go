// Package fingerprint ties a client installation to the hardware it runs on.
//
// Components (machine ID, product UUID, MACs of physical interfaces, …) are
// hashed with a per-product salt and truncated, so raw serials never leave
// the machine and two products see unrelated values. A receipt carries the
// component hashes it was issued for and a threshold k; the lease works where
// at least k of them still match.
package fingerprint
