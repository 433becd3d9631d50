//! Properties of the generated types that protect users from WeChat adding things: unknown
//! response fields are ignored and unknown enum values are kept, not rejected.

use wechat_oa::api::media::MediaType;
use wechat_oa::api::menu::ButtonType;
use wechat_oa::api::user::{FollowerInfo, Lang};

#[test]
fn unknown_response_fields_are_ignored() {
    let body = r#"{"subscribe":1,"openid":"o1","tagid_list":[2,117],"a_field_wechat_adds_next_year":{"x":[1]}}"#;
    let info: FollowerInfo = serde_json::from_str(body).expect("unknown fields do not break decoding");
    assert_eq!(info.openid, "o1");
    assert_eq!(info.tagid_list, vec![2, 117]);
}

#[test]
fn a_missing_required_response_field_is_a_decode_error_naming_it() {
    let err = serde_json::from_str::<FollowerInfo>(r#"{"subscribe":1}"#).expect_err("openid is required");
    assert!(err.to_string().contains("openid"), "{err}");
}

#[test]
fn string_enums_keep_values_this_version_does_not_know() {
    let t: ButtonType = serde_json::from_str(r#""some_future_button""#).expect("kept");
    assert_eq!(t, ButtonType::Other("some_future_button".to_string()));
    assert_eq!(serde_json::to_string(&t).expect("serialize"), r#""some_future_button""#);
    let known: MediaType = serde_json::from_str(r#""image""#).expect("known");
    assert_eq!(known, MediaType::Image);
    assert_eq!(serde_json::to_string(&Lang::ZhCn).expect("serialize"), r#""zh_CN""#);
}

#[test]
fn id_fields_accept_a_string_or_a_number() {
    use wechat_oa::api::publish::SubmitResponse;
    let documented: SubmitResponse = serde_json::from_str(r#"{"publish_id":"100000001","msg_data_id":"2247483675"}"#)
        .expect("the documented string form");
    let observed: SubmitResponse =
        serde_json::from_str(r#"{"publish_id":100000001,"msg_data_id":2247483675}"#).expect("the numeric form");
    assert_eq!(documented, observed);
    assert_eq!(observed.publish_id, "100000001");
    assert_eq!(observed.msg_data_id.as_deref(), Some("2247483675"));
    let absent: SubmitResponse = serde_json::from_str(r#"{"publish_id":"1","msg_data_id":null}"#).expect("null");
    assert_eq!(absent.msg_data_id, None);
    assert!(serde_json::from_str::<SubmitResponse>(r#"{"publish_id":[1]}"#).is_err());
}
