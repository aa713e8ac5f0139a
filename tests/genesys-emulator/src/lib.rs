//! Placeholder; see the emulator issue.
