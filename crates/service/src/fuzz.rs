//! Fuzzing as tests: the service's parsers of outside input — world files (text, and files of entries
//! with hostile names) and the bearer tokens ARM and Graph receive (any text, anything shaped like a JWT,
//! claims of every shape under our own signature, and our tokens with one character changed). None
//! panics; a world file either builds a sound world or names what is wrong (and its line); a token is
//! accepted only as it was issued.
//!
//! `TENANTRY_FUZZ_CASES` sets the cases per property (a few hundred by default, seconds in CI; the
//! README's "Tests" says how to run many more).

use crate::signin::{AccessClaims, Audience, SignIn};
use crate::world_file::{self, WorldFileError};
use crate::{Service, store};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::OnceLock;
use tenantry_domain::fuzzing::{config, hostile, json_of};
use tenantry_domain::rules::invariants::violations;
use tenantry_domain::{Change, World};

const DEMO: &str = include_str!("../../../worlds/demo.toml");
const BASE: &str = "https://127.0.0.1:8443";

/// A TOML basic string holding `s` exactly (every control character escaped).
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\U{:08X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A world file of a few entries whose names are hostile or refer to each other.
fn world_text() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("contoso".to_string()),
        Just("alice@outlook.com".to_string()),
        Just("erin".to_string()),
        Just("rg1".to_string()),
        Just("Reader".to_string()),
        hostile(),
    ];
    prop::collection::vec((0..9usize, name.clone(), name.clone(), name), 1..10).prop_map(|entries| {
        let mut text = String::new();
        for (kind, a, b, c) in entries {
            let (a, b, c) = (toml_str(&a), toml_str(&b), toml_str(&c));
            text.push_str(&match kind {
                0 => format!("[[personal_accounts]]\nemail = {a}\npassword = \"Long-enough-1\"\ndisplay_name = {b}\n"),
                1 => format!("[[tenants]]\nname = {a}\ndisplay_name = {b}\ndomains = [{c}]\n"),
                2 => format!("[[tenants]]\nname = \"contoso\"\n  [[tenants.users]]\n  user_name = {a}\n  password = \"Long-enough-1\"\n  display_name = {b}\n  mail = {c}\n"),
                3 => format!("[[tenants]]\nname = \"contoso\"\n  [[tenants.guests]]\n  email = {a}\n  display_name = {b}\n"),
                4 => format!("[[tenants]]\nname = \"contoso\"\n  [[tenants.applications]]\n  display_name = {a}\n  client_secret = {b}\n  redirect_uris = [{c}]\n"),
                5 => format!("[[subscriptions]]\ndisplay_name = {a}\ntenant = {b}\nservice_admin = {c}\n"),
                6 => format!("[[subscriptions]]\ndisplay_name = \"S\"\ntenant = \"contoso\"\nservice_admin = \"alice@outlook.com\"\n  [[subscriptions.resource_groups]]\n  name = {a}\n  location = {b}\n  tags = {{ {a} = {c} }}\n"),
                7 => format!("[[subscriptions]]\ndisplay_name = \"S\"\ntenant = \"contoso\"\nservice_admin = \"alice@outlook.com\"\n  [[subscriptions.role_definitions]]\n  name = {a}\n  actions = [{b}]\n"),
                _ => format!("[[subscriptions]]\ndisplay_name = \"S\"\ntenant = \"contoso\"\nservice_admin = \"alice@outlook.com\"\n  [[subscriptions.role_assignments]]\n  principal = {a}\n  role = {b}\n  scope = {c}\n"),
            });
        }
        text
    })
}

/// The demo world file with one line dropped, doubled, or given hostile text.
fn mutated_demo() -> impl Strategy<Value = String> {
    let lines = DEMO.lines().count();
    (0..lines, 0..3u8, hostile()).prop_map(|(at, how, text)| {
        let mut out: Vec<String> = DEMO.lines().map(str::to_string).collect();
        match how {
            0 => {
                out.remove(at);
            }
            1 => out.insert(at, out[at].clone()),
            _ => {
                let line = &out[at];
                let cut = line
                    .char_indices()
                    .map(|(i, _)| i)
                    .nth(line.chars().count() / 2)
                    .unwrap_or(0);
                out[at] = format!("{}{text}{}", &line[..cut], &line[cut..]);
            }
        }
        out.join("\n")
    })
}

/// Plans `text` on `world` with cheap stand-ins for hashing.
fn plan(world: &World, text: &str) -> Result<Change, WorldFileError> {
    let file = world_file::parse(text)?;
    let hash = |p: &str| format!("$test${p}");
    let verify = |p: &str, h: &str| h == format!("$test${p}");
    world_file::plan_apply(
        world,
        &file,
        &hash,
        &hash,
        &verify,
        1_700_000_000,
        &mut |_, _| {},
    )
}

/// Every text a world keeps that came from a file: none has a control character.
fn names_of(world: &World) -> Vec<String> {
    let mut out = Vec::new();
    for t in world.tenants() {
        out.push(t.tenant.display_name.clone());
        out.extend(t.tenant.all_domains().map(str::to_string));
        for u in t.users.values() {
            out.extend([u.display_name.clone(), u.upn().to_string()]);
            out.extend(u.mail().map(str::to_string));
        }
        out.extend(t.applications.values().map(|a| a.display_name.clone()));
    }
    for s in world.subscriptions() {
        out.push(s.subscription.display_name.clone());
        for g in s.resource_groups.values() {
            out.extend([g.name.clone(), g.location.clone()]);
            out.extend(g.tags.iter().flat_map(|(k, v)| [k.clone(), v.clone()]));
        }
    }
    out
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn world_files_build_a_sound_world_or_name_the_problem(text in prop_oneof![world_text(), mutated_demo(), any::<String>()]) {
        match plan(&World::new(), &text) {
            Ok(change) => {
                let mut world = World::new();
                world.apply(&change);
                prop_assert!(violations(&world).is_empty(), "{text}");
                for name in names_of(&world) {
                    prop_assert!(!name.chars().any(char::is_control), "{name:?} from {text}");
                }
            }
            Err(e) => {
                prop_assert!(!e.message.is_empty());
                if let Some(line) = e.line {
                    prop_assert!(line >= 1 && line <= text.lines().count().max(1), "{e} in {text}");
                }
            }
        }
    }
}

// ----- bearer tokens -----

/// A service with the demo world, its sign-in service, and a valid ARM token of the demo's "ci" app.
struct Tokens {
    runtime: tokio::runtime::Runtime,
    signin: SignIn,
    valid: String,
    _dir: Dir,
}

struct Dir(std::path::PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The claims of the "ci" app's ARM token at `now`.
fn ci_claims(signin: &SignIn, now: i64) -> AccessClaims {
    let tid = "a11ce000-0000-4000-8000-000000000002";
    let app = "c1000000-0000-4000-8000-000000000001";
    let oid = signin.service().read(|w| {
        w.application_by_client_id(app.parse().unwrap_or_default())
            .map(|a| a.id.to_string())
            .unwrap_or_default()
    });
    AccessClaims {
        aud: "https://management.azure.com".into(),
        iss: format!("{BASE}/{tid}/"),
        iat: now,
        nbf: now,
        exp: now + 3600,
        acr: None,
        amr: vec![],
        appid: app.into(),
        appidacr: "1".into(),
        azp: app.into(),
        idp: None,
        idtyp: "app".into(),
        name: None,
        oid: oid.clone(),
        scp: None,
        roles: None,
        sub: oid,
        tid: tid.into(),
        unique_name: None,
        upn: None,
        uti: "fuzz".into(),
        ver: "1.0".into(),
        wids: vec![],
        groups: Default::default(),
        xms_mirid: None,
    }
}

impl Tokens {
    fn get() -> &'static Tokens {
        static TOKENS: OnceLock<Tokens> = OnceLock::new();
        TOKENS.get_or_init(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            let dir = std::env::temp_dir().join(format!("tenantry-fuzz-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&dir).expect("a temporary directory");
            let (signin, valid) = runtime.block_on(async {
                let store = store::Store::open_sqlite_file(&dir.join("t.db"))
                    .await
                    .expect("a store");
                let svc = Service::open(store).await.expect("the service");
                svc.apply_world(DEMO, &mut |_, _| {})
                    .await
                    .expect("the demo world");
                let signin = SignIn::new(
                    svc.clone(),
                    BASE,
                    crate::signin::process_key_encryption_key(),
                );
                let valid = signin
                    .sign(&ci_claims(&signin, svc.now()))
                    .await
                    .expect("a token");
                (signin, valid)
            });
            let tokens = Tokens {
                runtime,
                signin,
                valid,
                _dir: Dir(dir),
            };
            assert!(
                tokens.verify(&tokens.valid).is_ok(),
                "the demo's token is valid"
            );
            tokens
        })
    }

    fn verify(&self, token: &str) -> Result<(), crate::signin::Rejection> {
        self.runtime
            .block_on(self.signin.verify_access_token(token, Audience::Arm))
            .map(|_| ())
    }

    fn sign(&self, claims: &Value) -> String {
        self.runtime
            .block_on(self.signin.sign(claims))
            .expect("signed")
    }
}

/// JSON of any shape, for headers and claims.
fn json_value() -> impl Strategy<Value = Value> {
    json_of(hostile().boxed(), hostile().boxed())
}

/// Claims: the valid ones with some replaced by values of any shape, or removed.
fn claims() -> impl Strategy<Value = Vec<(&'static str, Option<Value>)>> {
    let names = prop_oneof![
        Just("aud"),
        Just("iss"),
        Just("iat"),
        Just("nbf"),
        Just("exp"),
        Just("oid"),
        Just("tid"),
        Just("appid"),
        Just("idtyp"),
        Just("ver"),
        Just("sub"),
        Just("wids"),
        Just("roles"),
    ];
    let value = prop_oneof![
        json_value(),
        Just(json!(i64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(u64::MAX)),
    ];
    prop::collection::vec((names, prop::option::of(value)), 0..4)
}

fn b64(v: &impl serde::Serialize) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap_or_default())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_is_refused(token in prop_oneof![hostile(), "[A-Za-z0-9_-]{0,40}\\.[A-Za-z0-9_-]{0,40}\\.[A-Za-z0-9_-]{0,40}"]) {
        prop_assert!(Tokens::get().verify(&token).is_err());
    }

    #[test]
    fn unsigned_or_foreign_jwts_are_refused(header in json_value(), payload in json_value(), signature in "[A-Za-z0-9_-]{0,400}") {
        let token = format!("{}.{}.{signature}", b64(&header), b64(&payload));
        prop_assert!(Tokens::get().verify(&token).is_err());
        let mut alg_none = header.clone();
        if let Value::Object(m) = &mut alg_none {
            m.insert("alg".into(), json!("none"));
        }
        let unsigned = format!("{}.{}.", b64(&alg_none), b64(&payload));
        prop_assert!(Tokens::get().verify(&unsigned).is_err());
    }

    #[test]
    fn our_signature_on_claims_of_any_shape_never_panics(changes in claims()) {
        let t = Tokens::get();
        let now = t.signin.service().now();
        let mut claims = serde_json::to_value(ci_claims(&t.signin, now)).unwrap_or_default();
        let changed = !changes.is_empty();
        if let Value::Object(m) = &mut claims {
            for (name, value) in changes {
                match value {
                    Some(v) => m.insert(name.to_string(), v),
                    None => m.remove(name),
                };
            }
        }
        let result = t.verify(&t.sign(&claims));
        if !changed {
            prop_assert!(result.is_ok());
        }
    }

    #[test]
    fn a_changed_character_breaks_the_token(at in any::<prop::sample::Index>(), to in any::<char>()) {
        let t = Tokens::get();
        let mut chars: Vec<char> = t.valid.chars().collect();
        let i = at.index(chars.len());
        if chars[i] != to {
            chars[i] = to;
            let token: String = chars.into_iter().collect();
            // Base64url's last character may carry bits the decoder ignores; a different token that
            // decodes to the same bytes is the same token.
            let same = token.split('.').map(|p| URL_SAFE_NO_PAD.decode(p).ok()).collect::<Vec<_>>()
                == t.valid.split('.').map(|p| URL_SAFE_NO_PAD.decode(p).ok()).collect::<Vec<_>>();
            prop_assert!(same || t.verify(&token).is_err(), "{token}");
        }
    }
}
