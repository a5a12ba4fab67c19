;; warden diff regression: crash|load|binaryen-npm|harness exited; stderr: binaryen-npm: wasm-opt c
;; explained by peer rule binaryen-132-local-count-abort (Warden behaves as below)
;; 1 + 2^30 + 2^30 locals: Binaryen 132 dies of std::length_error; the first
;; local's type is over-long (ff 7f), which Binaryen reads as i32 and Warden
;; calls malformed (a script cannot assert Warden's load-time limit, "too
;; many locals", which it gives without that byte).
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\13\01\11\03\01\ff\7f\80\80\80\80\04\7e"
    "\80\80\80\80\04\7d\0b")
  "integer representation too long")
