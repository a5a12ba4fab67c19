;; warden diff regression: validation|warden=malformed,wabt=invalid,binaryen=valid|unexpected content after last section|in section 10
;; explained by peer rule wabt-1.0.32-validates-while-reading+binaryen-108-section-order-not-checked (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\05\01\60\00\01\7b\03\02\01\00\07\1c\01\18\61\73\2d\69\38\78\31\36\2e"
    "\73\77\69\7a\7a\6c\65\2d\6f\70\65\72\61\6e\64\00\00\0a\12\01\10\00\41\00\fd\00\04\00\41\01\fd\00"
    "\04\0f\fd\0e\0b\05\03\01\00\01\0b\2b\02\00\41\00\0b\10\64\65\66\67\68\69\6a\6b\6c\6d\6e\6f\70\71"
    "\72\73\00\41\10\0b\10\0f\0e\0d\0c\0b\0a\09\08\07\06\05\04\03\02\01\00")
  "unexpected content after last section")
