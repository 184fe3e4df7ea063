// Package request is the offline machine's side of the conversation: the
// three requests it signs with its device key — activation (a new lease),
// refresh (extend a lease, report meters) and return (the lease is removed
// here; final meters) — their encoding, and strict verification at the
// station.
//
// An activation request carries its own device key and is verified under it
// (VerifyActivation refuses small-order and non-canonical keys). Refresh and
// return requests name a lease; the station finds the lease's device key
// with Peek and then verifies with VerifyRefresh or VerifyReturn.
// doc/SPEC.md gives the exact bytes.
package request
