//! See tests/abi.rs: the golden answers through the Wasm ABI under wasmtime.
