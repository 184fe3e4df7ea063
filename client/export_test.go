package client

// SetCommitHook lets the crash tests see every state file before it is
// written.
func SetCommitHook(f func(data []byte)) { commitHook = f }
