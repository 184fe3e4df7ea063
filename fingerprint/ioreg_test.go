package fingerprint

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

const ioregSample = `+-o J316sAP  <class IOPlatformExpertDevice, id 0x100000223, registered, matched, active, busy 0 (27 ms), retain 37>
    {
      "IOPolledInterface" = "AppleARMWatchdogTimerHibernateHandler is not serializable"
      "#address-cells" = <02000000>
      "serial-number" = <4330324458585858585858580000000000000000000000000000000000000000>
      "target-type" = <"J316s">
      "manufacturer" = <"Apple Inc.">
      "compatible" = <"J316sAP","MacBookPro18,1","AppleARM">
      "IOPlatformSerialNumber" = "C02DX1234567"
      "IOPlatformUUID" = "6E2B8C1A-1234-5678-9ABC-DEF012345678"
      "model" = <"MacBookPro18,1">
      "IOPlatformFeatureDefaults" = {"SPIWTURDisable"=Yes}
      "IORegistryEntryName" = "J316sAP"
    }
`

func TestParseIORegProps(t *testing.T) {
	p := parseIORegProps(ioregSample)
	assert.Equal(t, "6E2B8C1A-1234-5678-9ABC-DEF012345678", p["IOPlatformUUID"])
	assert.Equal(t, "C02DX1234567", p["IOPlatformSerialNumber"])
	assert.Equal(t, "MacBookPro18,1", p["model"])
	assert.Equal(t, "Apple Inc.", p["manufacturer"])
	assert.Equal(t, "J316sAP", p["IORegistryEntryName"])
	for _, absent := range []string{"#address-cells", "serial-number", "compatible", "IOPlatformFeatureDefaults"} {
		assert.NotContains(t, p, absent)
	}
	assert.Empty(t, parseIORegProps(""))
	assert.Empty(t, parseIORegProps("ioreg: command not found\n\"\" = \"\n"))

	vm := parseIORegProps(`      "model" = <"VMware7,1">` + "\n" + `      "manufacturer" = <"VMware, Inc.">`)
	assert.Equal(t, "vmware", hypervisorVendor(vm["model"]))
	assert.Equal(t, "apple", hypervisorVendor("VirtualMac2,1"))
	assert.Empty(t, hypervisorVendor("MacBookPro18,1"))
}
