//! Any bytes into the announcement parser and validator: never a panic, and a valid report
//! always comes with every announcement of the input.
#![no_main]

use arcgw::validate::{DEFAULT_MAX_BYTES, Destination, Intake, validate_json};
use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date");
    for destination in [Destination::Queue, Destination::OneTransmission] {
        let intake = Intake::new(today, destination).with_swiss_fund(Some(25));
        if let Ok(validated) = validate_json(data, DEFAULT_MAX_BYTES, &intake) {
            if validated.report.valid {
                assert_eq!(validated.announcements.len(), validated.count);
            } else {
                assert!(validated.announcements.is_empty());
            }
        }
    }
});
