//! The demo dataset and demo accounts.
//!
//! Deterministic: the same seed gives the same profiles, cohorts and
//! events, so a demo and its screenshots look the same on every machine.

use serde_json::{json, Map, Value};
use sync_model::api::{Account, Role};

use crate::dataset::{CohortRecord, Dataset, EventRecord, ProfileRecord};

/// Number of identified profiles in the demo dataset.
pub const DEMO_PROFILES: usize = 3000;

/// The two demo accounts: a project admin and a member.
pub fn accounts() -> Vec<Account> {
    vec![
        Account {
            id: "ada".into(),
            name: "Ada Admin".into(),
            email: "ada@example.com".into(),
            role: Role::Admin,
        },
        Account {
            id: "max".into(),
            name: "Max Member".into(),
            email: "max@example.com".into(),
            role: Role::Member,
        },
    ]
}

/// Small deterministic generator (xorshift64*), enough for demo data.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const PLANS: [&str; 3] = ["free", "pro", "enterprise"];
const CITIES: [&str; 5] = ["Lisbon", "Austin", "Osaka", "Nairobi", "Oslo"];

/// Builds the demo dataset; events fall in the month starting at
/// `month_start` (unix seconds), so the current month has data.
pub fn dataset(month_start: i64) -> Dataset {
    let mut dice = Dice(0x5EED_C0DE_2026);
    let profiles = profiles(&mut dice);
    let cohorts = cohorts(&mut dice);
    let events = events(&mut dice, month_start);
    Dataset {
        profiles,
        cohorts,
        events,
    }
}

fn user(i: usize) -> String {
    format!("user-{i:05}")
}

fn profiles(dice: &mut Dice) -> Vec<ProfileRecord> {
    (0..DEMO_PROFILES)
        .map(|i| {
            let mut properties = Map::new();
            if i % 97 == 0 {
                // A profile with no properties is anonymous.
                return ProfileRecord {
                    distinct_id: user(i),
                    properties,
                };
            }
            properties.insert("$name".into(), json!(format!("Demo User {i}")));
            properties
                .insert("$email".into(), json!(format!("user{i}@example.com")));
            properties.insert(
                "plan".into(),
                json!(PLANS[dice.below(PLANS.len() as u64) as usize]),
            );
            properties.insert(
                "$city".into(),
                json!(CITIES[dice.below(CITIES.len() as u64) as usize]),
            );
            match i % 10 {
                0..=2 => {
                    properties.insert(
                        "$leanplum_user_id".into(),
                        json!(format!("lp-{:08x}", dice.next() as u32)),
                    );
                }
                3 if i % 60 == 3 => {
                    properties.insert("$leanplum_user_id".into(), json!(i));
                }
                4 if i % 80 == 4 => {
                    properties.insert("$leanplum_user_id".into(), json!("  "));
                }
                _ => {}
            }
            ProfileRecord {
                distinct_id: user(i),
                properties,
            }
        })
        .collect()
}

fn cohorts(dice: &mut Dice) -> Vec<CohortRecord> {
    let specs: [(&str, &str, &str, usize, usize); 6] = [
        (
            "power-users",
            "Power users",
            "Used a core feature on 10 or more days this month",
            900,
            20,
        ),
        (
            "recent-signups",
            "Recent signups",
            "Signed up in the last 14 days",
            320,
            60,
        ),
        (
            "churn-risk",
            "Churn risk",
            "Paying users with no session in 21 days",
            540,
            0,
        ),
        (
            "trial-ending",
            "Trial ending this week",
            "Pro trials that end within 7 days",
            85,
            5,
        ),
        (
            "newsletter",
            "Newsletter subscribers",
            "Opted in to the monthly newsletter",
            2100,
            40,
        ),
        (
            "vip",
            "VIP accounts",
            "Enterprise plan, more than 50 seats",
            24,
            0,
        ),
    ];
    specs
        .iter()
        .map(|&(id, name, description, size, anonymous)| {
            let mut members: Vec<String> = Vec::with_capacity(size + anonymous);
            let mut seen = std::collections::HashSet::new();
            while members.len() < size {
                let candidate = user(dice.below(DEMO_PROFILES as u64) as usize);
                if seen.insert(candidate.clone()) {
                    members.push(candidate);
                }
            }
            for a in 0..anonymous {
                members.push(format!("anon-{id}-{a:03}"));
            }
            CohortRecord {
                id: id.into(),
                name: name.into(),
                description: description.into(),
                members,
            }
        })
        .collect()
}

const LEANPLUM_EVENTS: [&str; 6] = [
    "(Leanplum) Campaign Enter",
    "(Leanplum) Push Notification Send",
    "(Leanplum) Email Send",
    "(Leanplum) Email Delivered",
    "(Leanplum) Push Notification Open",
    "(Leanplum) Email Open",
];

fn events(dice: &mut Dice, month_start: i64) -> Vec<EventRecord> {
    let mut events = Vec::new();
    for n in 0..1200 {
        let name =
            LEANPLUM_EVENTS[dice.below(LEANPLUM_EVENTS.len() as u64) as usize];
        let person = dice.below(DEMO_PROFILES as u64) as usize;
        let time = month_start + (dice.below(27 * 86_400)) as i64;
        let mut properties = Map::new();
        properties.insert("$source".into(), Value::from("leanplum"));
        properties
            .insert("campaign".into(), json!(format!("Campaign {}", n % 4)));
        events.push(EventRecord {
            name: name.into(),
            distinct_id: user(person),
            time,
            source: Some("leanplum".into()),
            properties,
        });
    }
    for _ in 0..400 {
        let person = dice.below(DEMO_PROFILES as u64) as usize;
        let time = month_start + (dice.below(27 * 86_400)) as i64;
        events.push(EventRecord {
            name: "App Open".into(),
            distinct_id: user(person),
            time,
            source: None,
            properties: Map::new(),
        });
    }
    events
}
