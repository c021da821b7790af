//! arcgw: the gateway between Swiss AVS compensation funds and the ZAS for ARC announcements.
//!
//! The flow runs one way: intake → [`validate`] → store → transmit → acknowledge → deadlines →
//! alerts. See `ARCHITECTURE.md` for the map.

pub mod accounts;
pub mod alerts;
pub mod api;
pub mod app;
pub mod calendar;
pub mod cli;
pub mod clock;
pub mod config;
pub mod connections;
pub mod csv;
pub mod deadlines;
pub mod demo;
pub mod digest;
pub mod domain;
pub mod dtxml;
pub mod engine;
pub mod failpoint;
pub mod letters;
pub mod pki;
pub mod presentation;
pub mod secret;
pub mod sedex;
pub mod serve;
pub mod sim;
pub mod store;
pub mod telemetry;
pub mod transport;
pub mod validate;
pub mod web;
