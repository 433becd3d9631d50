//! Safe-mode (安全模式) message crypto: AES-256-CBC with the key from the 43-character
//! EncodingAESKey, IV = the key's first 16 bytes, PKCS#7 padding to 32-byte blocks, and the
//! plaintext `16 random bytes ‖ u32 big-endian length ‖ message ‖ appid`.

use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, BlockEncryptMut, InnerIvInit, KeyInit};
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

use super::error::CallbackError;

type Enc = cbc::Encryptor<aes::Aes256>;
type Dec = cbc::Decryptor<aes::Aes256>;

/// Standard alphabet, padding optional, trailing bits ignored: platform keys (and the official
/// sample key) end in a character whose low bits are not zero.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
const STRICT_OUT: GeneralPurpose = base64::engine::general_purpose::STANDARD;

const BLOCK: usize = 32;

/// The AES key derived from an EncodingAESKey. Its `Debug` never shows the key.
#[derive(Clone)]
pub struct AesKey {
    key: [u8; 32],
    /// The expanded key schedule, built once.
    cipher: aes::Aes256,
}

impl std::fmt::Debug for AesKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AesKey(<redacted>)")
    }
}

impl AesKey {
    /// Derives the key from the 43-character EncodingAESKey.
    pub fn from_encoding_aes_key(encoding_aes_key: &str) -> Result<AesKey, CallbackError> {
        if encoding_aes_key.len() != 43 {
            return Err(CallbackError::BadAesKey("EncodingAESKey must be 43 characters"));
        }
        let bytes =
            LENIENT.decode(encoding_aes_key).map_err(|_| CallbackError::BadAesKey("EncodingAESKey is not base64"))?;
        let key: [u8; 32] =
            bytes.try_into().map_err(|_| CallbackError::BadAesKey("EncodingAESKey does not decode to 32 bytes"))?;
        Ok(AesKey { key, cipher: aes::Aes256::new(&key.into()) })
    }

    /// The raw 32 key bytes (for tests against published vectors).
    pub fn bytes(&self) -> &[u8; 32] {
        &self.key
    }

    fn iv(&self) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv.copy_from_slice(&self.key[..16]);
        iv
    }

    /// Decrypts a base64 `Encrypt` value and checks that it was sent to `appid`; returns the
    /// message (the inner XML, or the echostr).
    pub fn decrypt(&self, encrypt_b64: &str, appid: &str) -> Result<String, CallbackError> {
        let mut buf = LENIENT.decode(encrypt_b64.trim()).map_err(|_| CallbackError::BadBase64)?;
        if buf.is_empty() || buf.len() % 16 != 0 {
            return Err(CallbackError::BadCiphertextLength(buf.len()));
        }
        let plain = Dec::inner_iv_init(self.cipher.clone(), &self.iv().into())
            .decrypt_padded_mut::<NoPadding>(&mut buf)
            .map_err(|_| CallbackError::BadPadding)?;
        let pad = *plain.last().ok_or(CallbackError::BadPadding)? as usize;
        if pad == 0 || pad > BLOCK || pad > plain.len() || plain[plain.len() - pad..].iter().any(|&b| b as usize != pad)
        {
            return Err(CallbackError::BadPadding);
        }
        let content = &plain[..plain.len() - pad];
        if content.len() < 20 {
            // Not even room for the random prefix and the length field.
            return Err(CallbackError::BadLengthPrefix { claimed: 0, available: 0 });
        }
        let claimed = u32::from_be_bytes([content[16], content[17], content[18], content[19]]) as usize;
        let rest = &content[20..];
        if claimed > rest.len() {
            return Err(CallbackError::BadLengthPrefix { claimed, available: rest.len() });
        }
        let (msg, found_appid) = rest.split_at(claimed);
        if found_appid != appid.as_bytes() {
            return Err(CallbackError::AppIdMismatch {
                found: String::from_utf8_lossy(found_appid).chars().take(32).collect(),
            });
        }
        String::from_utf8(msg.to_vec()).map_err(|_| CallbackError::MalformedXml("message is not UTF-8".to_string()))
    }

    /// Encrypts `msg` for `appid` with a fresh random 16-byte prefix; returns base64.
    pub fn encrypt(&self, msg: &str, appid: &str) -> String {
        let mut prefix = [0u8; 16];
        rand::Rng::fill(&mut rand::rng(), &mut prefix);
        self.encrypt_with_prefix(&prefix, msg, appid)
    }

    /// Encrypts with a caller-chosen prefix (deterministic output, for tests and vectors).
    pub fn encrypt_with_prefix(&self, prefix: &[u8; 16], msg: &str, appid: &str) -> String {
        let len = 20 + msg.len() + appid.len();
        let pad = BLOCK - len % BLOCK;
        let mut buf = Vec::with_capacity(len + pad);
        buf.extend_from_slice(prefix);
        buf.extend_from_slice(&(msg.len() as u32).to_be_bytes());
        buf.extend_from_slice(msg.as_bytes());
        buf.extend_from_slice(appid.as_bytes());
        buf.resize(len + pad, pad as u8);
        let n = buf.len();
        let out = match Enc::inner_iv_init(self.cipher.clone(), &self.iv().into())
            .encrypt_padded_mut::<NoPadding>(&mut buf, n)
        {
            Ok(out) => out,
            // Unreachable: the buffer is a whole number of blocks by construction.
            Err(_) => return String::new(),
        };
        STRICT_OUT.encode(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";

    #[test]
    fn round_trip_and_each_failure() {
        let k = AesKey::from_encoding_aes_key(KEY).expect("key");
        let c = k.encrypt("<xml>hi</xml>", "wxapp");
        assert_eq!(k.decrypt(&c, "wxapp").as_deref(), Ok("<xml>hi</xml>"));
        assert!(matches!(k.decrypt(&c, "wxother"), Err(CallbackError::AppIdMismatch { .. })));
        assert_eq!(k.decrypt("!!!not base64", "wxapp"), Err(CallbackError::BadBase64));
        assert_eq!(k.decrypt("AAAA", "wxapp"), Err(CallbackError::BadCiphertextLength(3)));
        assert_ne!(c, k.encrypt("<xml>hi</xml>", "wxapp"), "the random prefix differs per call");
        assert!(matches!(AesKey::from_encoding_aes_key("short"), Err(CallbackError::BadAesKey(_))));
        assert_eq!(format!("{k:?}"), "AesKey(<redacted>)");
    }
}
