;; warden diff regression: validation|warden=valid,binaryen=rejected|[parse exception: bad table index (at N:N)]
;; explained by peer rule binaryen-108-table-ops-on-imported-tables (Warden behaves as below)
(module binary
    "\00\61\73\6d\01\00\00\00\01\05\01\60\00\01\7f\02\15\01\08\73\70\65\63\74\65\73\74\05\74\61\62\6c"
    "\65\01\70\01\0a\14\03\02\01\00\0a\07\01\05\00\fc\10\00\0b")
