;; warden diff regression: validation|warden=invalid,binaryen=valid|multiple memories
;; explained by peer rule binaryen-108-multiple-memories (Warden behaves as below)
(assert_invalid
  (module binary
    "\00\61\73\6d\01\00\00\00\02\27\02\08\73\70\65\63\74\65\73\74\06\6d\65\6d\6f\72\79\02\00\01\08\73"
    "\70\65\63\74\65\73\74\06\6d\65\6d\6f\72\79\02\00\01")
  "multiple memories")
