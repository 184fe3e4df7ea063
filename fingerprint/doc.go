// Package fingerprint ties a client installation to the hardware it runs on.
//
// The device key proves which installation is talking; the fingerprint ties
// that installation to the machine, so that a copy of the whole client state
// on another machine is refused while a replaced network card or a renamed
// host is not.
//
// # Components
//
// Collect reads the machine's components, each tagged with its Kind; a
// component that cannot be read is simply absent:
//
//   - Linux (CollectLinux): machine-id, DMI product UUID and board serial,
//     MACs of physical network interfaces, serial of the disk holding "/",
//     CPU model, host name.
//   - Windows: MachineGuid, SMBIOS UUID and baseboard serial, MACs of
//     physical adapters, system volume serial, CPU model, computer name.
//   - macOS: IOPlatformUUID, hardware serial, MACs of en* interfaces, CPU
//     brand, host name.
//
// Placeholder values that firmware writes when a vendor filled in nothing
// ("To be filled by O.E.M.", all-zero UUIDs) are skipped, as are
// randomised and locally administered MACs, and at most MaxMACs MACs are
// kept, so a machine typically gives five to nine components.
//
// # Privacy
//
// A Component holds a raw value and never shows it: it prints, logs and
// marshals to JSON as its kind alone. Hashes turns components into a Set of
// salted hashes (HMAC-SHA256 truncated to SumSize bytes, see HashComponent)
// which is what travels in requests and receipts. The salt is per product
// (the client derives it from the product name), so two products on one
// machine see unrelated values. Set.Summary gives a short code such as
// "7KQ2-M9XD-4TNB" for operators to compare by eye or over the phone; it
// identifies the whole set, not any one component.
//
// # Matching
//
// A receipt carries the component hashes it was issued for and a threshold
// k from the license policy; Compare accepts when at least k of them are
// still found on the machine, and its Match (or *MismatchError) says which
// kinds matched and which changed. DefaultThreshold, used when the policy
// sets none, is all but one: one changed component is tolerated, a copy to
// another machine (new machine-id, host name, NICs, disk...) is not.
//
// # Virtualisation
//
// Detect (DetectLinux on Linux) reports Facts: whether a hypervisor or a
// container was seen and the markers that showed it. They are facts for the
// station's policy, not verdicts made here.
//
// # Limits
//
// A fully compromised client can report any components it likes; the
// fingerprint raises the cost of copying a lease, it does not make copying
// impossible. A virtual machine cloned with its disk keeps every component
// the hypervisor does not regenerate.
package fingerprint
