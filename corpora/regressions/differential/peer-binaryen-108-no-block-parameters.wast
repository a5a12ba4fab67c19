;; warden diff regression: validation|probe|warden=valid,binaryen=rejected|[wasm-validator error in function N] none == non
;; explained by peer rule binaryen-108-no-block-parameters (Warden behaves as below)
(module binary
    "\00\61\73\6d\01\00\00\00\01\11\03\60\02\7f\7e\01\7b\60\02\7e\7b\00\60\00\02\7f\7f\03\03\02\01\02"
    "\06\0c\02\7f\01\41\e8\07\0b\7f\01\41\00\0b\07\09\01\05\73\74\61\74\65\00\01\0a\4a\02\3b\00\23\00"
    "\41\01\44\00\d9\5a\e9\48\77\23\63\20\01\20\01\fd\0c\ff\7f\00\00\00\00\00\00\aa\a1\32\60\7d\a9\ad"
    "\df\41\8a\e0\8e\b5\03\20\00\02\00\0c\01\0b\41\1f\1b\1a\1a\1a\1a\1a\1a\0b\0c\03\01\7f\01\7e\01\7f"
    "\23\01\23\00\0b")
