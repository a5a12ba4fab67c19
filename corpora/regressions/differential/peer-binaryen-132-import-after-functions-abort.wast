;; warden diff regression: crash|load|binaryen-npm|harness exited; stderr: binaryen-npm: wasm-opt c
;; explained by peer rule binaryen-132-import-after-functions-abort (Warden behaves as below)
;; (type) (function section: 1 function) (import section: none), no code.
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\02\01\00")
  "unexpected content after last section")
