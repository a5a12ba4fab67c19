;; conformance regression (scripts/conformance, binary.wast:350 and 366): Binaryen 108 allocates for
;; a body's declared locals before it checks their count: 2^32 locals (0xffffffff i32 and one i64)
;; end in std::bad_alloc (wasm-shell aborts; wasm-opt stops "Fatal: error building module,
;; std::bad_alloc"), under the conformance script's 4 GiB cap. Spec 5.5.13: malformed.
;; catalogue entry binaryen-108-local-count-allocation (Warden behaves as below; the campaign rule of that name matches its hang, this is its crash)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\0c\01\0a\02\ff\ff\ff\ff\0f\7f\01\7e\0b")
  "too many locals")
