package station

import "github.com/airlock-dev/airlock/wire"

// SetLeaseIDs makes s draw lease IDs from next.
func (s *Station) SetLeaseIDs(next func() wire.LeaseID) { s.newLeaseID = next }
