//! JS-SDK page signatures (`wx.config`) and the card (`wx_card`) signature, over tickets the
//! token manager caches like the access token.

use sha1::{Digest, Sha1};

use crate::clock::unix_secs;
use crate::signing::{hex, sha1_hex_of_sorted};

use crate::{Client, Error};

/// What a page needs for `wx.config({ appId, timestamp, nonceStr, signature })`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsSdkConfig {
    /// The AppID.
    pub app_id: String,
    /// Unix seconds used in the signature.
    pub timestamp: i64,
    /// The random string used in the signature.
    pub nonce_str: String,
    /// Lower-case hex SHA-1 signature.
    pub signature: String,
}

/// The `wx.config` signature: SHA-1 of
/// `jsapi_ticket=..&noncestr=..&timestamp=..&url=..` (keys in ASCII order, raw values),
/// where `url` is the page URL without its `#fragment`.
pub fn jsapi_signature(jsapi_ticket: &str, noncestr: &str, timestamp: i64, url: &str) -> String {
    let url = url.split('#').next().unwrap_or(url);
    let text = format!("jsapi_ticket={jsapi_ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url}");
    hex(&Sha1::digest(text.as_bytes()))
}

/// The card signature (`cardSign`): SHA-1 of the values (api_ticket, timestamp, nonce_str,
/// card_id, and any of code / openid that are used) sorted as strings and concatenated.
pub fn card_signature(values: &[&str]) -> String {
    sha1_hex_of_sorted(values)
}

impl Client {
    /// Signs a page for `wx.config`, using the cached `jsapi` ticket.
    pub async fn jssdk_config(&self, url: &str) -> Result<JsSdkConfig, Error> {
        let ticket = self.ticket("jsapi").await?;
        let timestamp = unix_secs();
        let nonce_str: String = (0..16)
            .map(|_| {
                let i = rand::random_range(0..62u8);
                (match i {
                    0..=9 => b'0' + i,
                    10..=35 => b'a' + i - 10,
                    _ => b'A' + i - 36,
                }) as char
            })
            .collect();
        let signature = jsapi_signature(&ticket, &nonce_str, timestamp, url);
        Ok(JsSdkConfig { app_id: self.appid().to_string(), timestamp, nonce_str, signature })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of the official JS-SDK documentation (附录1 签名算法).
    #[test]
    fn official_jsapi_example() {
        let sig = jsapi_signature(
            "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
            "Wm3WZYTPz0wzccnW",
            1414587457,
            "http://mp.weixin.qq.com?params=value",
        );
        assert_eq!(sig, "0f9de62fce790f9a083d5c99e95740ceb90c27ed");
    }

    #[test]
    fn the_fragment_is_not_signed() {
        let a = jsapi_signature("t", "n", 1, "https://example.com/p?a=1#section");
        let b = jsapi_signature("t", "n", 1, "https://example.com/p?a=1");
        assert_eq!(a, b);
    }

    #[test]
    fn card_signature_sorts_values() {
        assert_eq!(card_signature(&["b", "a", "c"]), card_signature(&["c", "b", "a"]));
        assert_eq!(card_signature(&["abc"]), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }
}
