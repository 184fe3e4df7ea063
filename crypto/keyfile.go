package crypto

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/airlock-dev/airlock/internal/atomicfile"
)

// Key file errors callers branch on.
var (
	// ErrWrongPassphrase means the passphrase does not open the key file.
	ErrWrongPassphrase = errors.New("wrong passphrase for the issuer key")
	// ErrEmptyPassphrase refuses an empty passphrase.
	ErrEmptyPassphrase = errors.New("empty passphrase")
	// ErrWrongKind means the file is some other kind of file than asked for.
	ErrWrongKind = errors.New("wrong kind of key file")
)

// KindError says what a key file is when it is not what was asked for.
type KindError struct {
	Path string // the file, or "" for bytes not read from a file
	Want string // what the caller asked for
	Got  string // what the file looks like
}

func (e *KindError) Error() string {
	where := "input"
	if e.Path != "" {
		where = fmt.Sprintf("%q", e.Path)
	}
	return fmt.Sprintf("%s is %s, not %s", where, e.Got, e.Want)
}

func (e *KindError) Unwrap() error { return ErrWrongKind }

// Names of key file kinds, used in KindError.
const (
	kindIssuerKey = "an encrypted issuer private key"
	kindDeviceKey = "a device private key"
	kindPublicKey = "a PEM public key"
)

// sniffKind names what a key file looks like.
func sniffKind(data []byte) string {
	t := bytes.TrimSpace(data)
	switch {
	case bytes.HasPrefix(t, []byte(armor.Header)), bytes.HasPrefix(t, []byte("age-encryption.org/")):
		return kindIssuerKey
	case bytes.HasPrefix(t, []byte("-----BEGIN "+pemPrivate+"-----")):
		return "an unencrypted private key"
	case bytes.HasPrefix(t, []byte("-----BEGIN "+pemPublic+"-----")):
		return kindPublicKey
	case bytes.HasPrefix(t, []byte("-----BEGIN AIRLOCK ")):
		return "an airlock message"
	case bytes.HasPrefix(t, []byte(trustHeader)):
		return "an airlock trust store"
	case len(t) == 0:
		return "empty"
	}
	return "not a key file"
}

// maxWorkFactor is the most scrypt work a key file may ask for when it is
// opened, so a crafted file cannot make the station spin for minutes.
var maxWorkFactor = DefaultWorkFactor + 2

// DefaultWorkFactor is the scrypt work factor (log2 N) for new issuer key
// files: about a second of work on a current machine for every unlock.
const DefaultWorkFactor = 18

// MarshalIssuerKey encrypts k with passphrase as an armored age file
// (scrypt, work factor logN; 0 means DefaultWorkFactor). Inside is the key
// as unencrypted PKCS #8 PEM, so `age -d` and OpenSSL can recover it.
func MarshalIssuerKey(k *PrivateKey, passphrase string, logN int) ([]byte, error) {
	if passphrase == "" {
		return nil, ErrEmptyPassphrase
	}
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, err
	}
	if logN == 0 {
		logN = DefaultWorkFactor
	}
	r.SetWorkFactor(logN)
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, r)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(marshalPrivateKeyPEM(k)); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if err := aw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// maxKeyFile bounds what key file readers accept before parsing.
const maxKeyFile = 16 << 10

// ParseIssuerKey decrypts an issuer key file written by MarshalIssuerKey.
func ParseIssuerKey(data []byte, passphrase string) (*PrivateKey, error) {
	if len(data) > maxKeyFile {
		return nil, &KindError{Want: kindIssuerKey, Got: fmt.Sprintf("a %d-byte file, larger than any key file", len(data))}
	}
	if got := sniffKind(data); got != kindIssuerKey {
		return nil, &KindError{Want: kindIssuerKey, Got: got}
	}
	if passphrase == "" {
		return nil, ErrEmptyPassphrase
	}
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, err
	}
	id.SetMaxWorkFactor(maxWorkFactor)
	var src io.Reader = bytes.NewReader(data)
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte(armor.Header)) {
		src = armor.NewReader(bytes.NewReader(bytes.TrimSpace(data)))
	}
	r, err := age.Decrypt(src, id)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) && strings.Contains(err.Error(), "work factor too large") {
			return nil, fmt.Errorf("issuer key file asks for too much scrypt work: %w", err)
		}
		if errors.As(err, &noMatch) || errors.Is(err, age.ErrIncorrectIdentity) {
			return nil, ErrWrongPassphrase
		}
		return nil, fmt.Errorf("issuer key file is damaged: %w", err)
	}
	plain, err := io.ReadAll(io.LimitReader(r, maxKeyFile))
	if err != nil {
		return nil, fmt.Errorf("issuer key file is damaged: %w", err)
	}
	k, err := parsePrivateKeyPEM(plain)
	if err != nil {
		return nil, fmt.Errorf("issuer key file holds no usable key: %w", err)
	}
	return k, nil
}

// WriteIssuerKey creates path (it must not exist; mode 0600) holding k
// encrypted with passphrase.
func WriteIssuerKey(path string, k *PrivateKey, passphrase string, logN int) error {
	data, err := MarshalIssuerKey(k, passphrase, logN)
	if err != nil {
		return err
	}
	return createKeyFile(path, data)
}

// ReadIssuerKey reads and decrypts the issuer key file at path.
func ReadIssuerKey(path, passphrase string) (*PrivateKey, error) {
	data, err := readKeyFile(path, "issuer key")
	if err != nil {
		return nil, err
	}
	k, err := ParseIssuerKey(data, passphrase)
	var ke *KindError
	if errors.As(err, &ke) {
		ke.Path = path
	}
	return k, err
}

// MarshalDeviceKey writes a device key as unencrypted PKCS #8 PEM. The
// offline machine must sign requests and unseal its state with no one there
// to type a passphrase, so the device key is protected by file mode (0600)
// only; doc/SPEC.md says what that means.
func MarshalDeviceKey(k *PrivateKey) []byte { return marshalPrivateKeyPEM(k) }

// ParseDeviceKey reads the form MarshalDeviceKey writes.
func ParseDeviceKey(data []byte) (*PrivateKey, error) {
	if len(data) > maxKeyFile {
		return nil, &KindError{Want: kindDeviceKey, Got: fmt.Sprintf("a %d-byte file, larger than any key file", len(data))}
	}
	if got := sniffKind(data); got != "an unencrypted private key" {
		return nil, &KindError{Want: kindDeviceKey, Got: got}
	}
	return parsePrivateKeyPEM(data)
}

// WriteDeviceKey creates path (it must not exist; mode 0600) holding k.
func WriteDeviceKey(path string, k *PrivateKey) error {
	return createKeyFile(path, MarshalDeviceKey(k))
}

// ReadDeviceKey reads the device key file at path.
func ReadDeviceKey(path string) (*PrivateKey, error) {
	data, err := readKeyFile(path, "device key")
	if err != nil {
		return nil, err
	}
	k, err := ParseDeviceKey(data)
	var ke *KindError
	if errors.As(err, &ke) {
		ke.Path = path
	}
	return k, err
}

// WritePublicKey creates path (it must not exist; mode 0644) holding k as
// PEM.
func WritePublicKey(path string, k PublicKey) error {
	return atomicfile.CreateNew(path, MarshalPublicKeyPEM(k), 0o644)
}

// ReadPublicKeyFile reads a PEM public key file, tolerating CRLF line ends
// and white space around the block, as files that travelled by email have.
func ReadPublicKeyFile(path string) (PublicKey, error) {
	data, err := readKeyFile(path, "public key")
	if err != nil {
		return PublicKey{}, err
	}
	k, err := ParsePublicKeyText(data)
	if errors.Is(err, ErrNotPEM) {
		if got := sniffKind(data); got != kindPublicKey {
			return PublicKey{}, &KindError{Path: path, Want: kindPublicKey, Got: got}
		}
		return PublicKey{}, fmt.Errorf("%q: %w", path, err)
	}
	return k, err
}

// ParsePublicKeyText is ParsePublicKeyPEM after normalising CRLF line ends
// and surrounding white space.
func ParsePublicKeyText(data []byte) (PublicKey, error) {
	norm := bytes.ReplaceAll(bytes.TrimSpace(data), []byte("\r\n"), []byte("\n"))
	return ParsePublicKeyPEM(append(norm, '\n'))
}

func createKeyFile(path string, data []byte) error {
	if err := atomicfile.CreateNew(path, data, 0o600); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("key file %q already exists; refusing to overwrite it: %w", path, fs.ErrExist)
		}
		return fmt.Errorf("creating key file: %w", err)
	}
	return nil
}

func readKeyFile(path, what string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s file %q does not exist: %w", what, path, fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s file: %w", what, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s file %q: %w", what, path, err)
	}
	return data, nil
}
