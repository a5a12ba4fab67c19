;; peer bug wabt-1.0.32-interp-call-indirect-overflow-continues (differential/peer-bugs.md)
;; warden diff --seed 20261209, bucket result|state: global|wabt, replayed from its minimized module
;; (Warden behaves as below).
;; The masked form: wabt 1.0.32 overflowed at its 1638 frames in a call_indirect
;; recursion, the frames below went on and reached the `unreachable` of the
;; fuel check, which it reported instead of the overflow; its state kept
;; the fuel left at that depth (0x553), where Warden (and V8) used it all.
(module binary
    "\00\61\73\6d\01\00\00\00\01\0e\02\60\00\03\7e\7f\7f\60\00\04\7f\7f\7f\7e\03\04\03\00\00\01\04\05"
    "\01\70\01\07\30\06\11\03\7f\01\41\b8\17\0b\7f\01\41\00\0b\7e\01\42\00\0b\07\15\03\02\63\30\00\01"
    "\04\63\30\5f\31\00\01\05\73\74\61\74\65\00\02\09\07\01\00\41\03\0b\01\00\0c\01\00\0a\5d\03\2d\00"
    "\02\00\23\00\45\04\40\00\0b\23\00\41\01\6b\23\00\ad\23\02\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e"
    "\24\02\24\00\41\03\11\00\00\00\0b\0b\1b\03\01\7e\01\7f\01\7f\41\b8\17\24\00\10\00\21\02\21\01\21"
    "\00\20\00\20\01\20\02\0b\11\03\01\7f\01\7e\01\7f\23\01\23\00\fc\10\00\23\02\0b")
(assert_trap (invoke "c0") "unreachable")
(assert_trap (invoke "c0_1") "unreachable")
(assert_return (invoke "state") (i32.const 0) (i32.const 0) (i32.const 7) (i64.const -8693614839741239296))
