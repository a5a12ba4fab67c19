;; warden diff regression: validation|warden=valid,binaryen=rejected|[wasm-validator error in module] unexpected fals
;; explained by peer rule binaryen-108-segment-bounds-at-validation (Warden behaves as below)
(assert_trap
  (module binary
    "\00\61\73\6d\01\00\00\00\02\18\01\08\73\70\65\63\74\65\73\74\0a\67\6c\6f\62\61\6c\5f\69\33\32\03"
    "\7f\00\05\03\01\00\00\0b\08\01\00\23\00\0b\02\61\c5")
  "out of bounds memory access")
