//! Any bytes into the acknowledgement reader: never a panic, and whatever it accepts it writes
//! back into a document that reads the same.
#![no_main]

use arcgw::dtxml::{ReadLimits, read_acknowledgement, write_acknowledgement};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = ReadLimits::default();
    if let Ok(ack) = read_acknowledgement(data, &limits) {
        let xml = write_acknowledgement(&ack).expect("what was read can be written");
        let again = read_acknowledgement(xml.as_bytes(), &limits).expect("it reads back");
        assert_eq!(again, ack);
    }
});
