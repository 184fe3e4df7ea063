package fingerprint

import (
	"strings"
)

// parseIORegProps reads the top-level properties of "ioreg -rd1 -c
// IOPlatformExpertDevice" output, lines such as
//
//	"IOPlatformUUID" = "12345678-ABCD-..."
//	"model" = <"MacBookPro18,3">
//
// and returns them by name. Values that are not a single quoted string,
// plain or as data, are left out: hex data, lists, nested dictionaries.
func parseIORegProps(out string) map[string]string {
	props := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		k, v, ok := strings.Cut(line, " = ")
		if !ok || len(k) < 2 || k[0] != '"' || k[len(k)-1] != '"' {
			continue
		}
		k = k[1 : len(k)-1]
		v = strings.TrimSpace(v)
		if strings.HasPrefix(v, "<") && strings.HasSuffix(v, ">") {
			v = v[1 : len(v)-1]
		}
		if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' || strings.Contains(v[1:len(v)-1], `"`) {
			continue
		}
		if _, seen := props[k]; !seen {
			props[k] = v[1 : len(v)-1]
		}
	}
	return props
}
