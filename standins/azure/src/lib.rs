//! Loopback stand-in for azure.
