;; peer bug wabt-1.0.32-interp-call-indirect-overflow-continues (differential/peer-bugs.md)
;; warden diff --seed 20261209, bucket trap|call|wabt|warden=trap:unreachable,wabt=trap:uninitialized, replayed from its minimized module
;; (Warden behaves as below).
;; The masked form: wabt 1.0.32 overflowed at its 1638 frames in a call_indirect
;; recursion, and the frames below went on to a call_indirect of an empty
;; table slot, "uninitialized table element", which it reported instead of
;; the overflow. (The minimized module no longer exports the fuel global,
;; so no probe resets it: the recursion runs until every engine's stack
;; is exhausted, as asserted below; Warden at wabt's depth overflows in c0
;; too.)
(module binary
    "\00\61\73\6d\01\00\00\00\01\30\07\60\00\00\60\03\7f\7d\7c\03\7f\7f\7f\60\03\7e\7c\7d\03\7d\7f\7e"
    "\60\00\02\7f\7e\60\00\03\7d\7f\7e\60\00\03\7f\7f\7e\60\00\06\7f\7e\7f\7e\7f\7e\03\06\05\02\00\03"
    "\05\06\04\05\01\70\01\0a\14\06\23\05\7e\00\42\9a\05\0b\7f\01\41\e8\07\0b\7c\01\44\ff\ff\ff\ff\ff"
    "\ff\ef\7f\0b\7f\01\41\00\0b\7e\01\42\00\0b\07\15\03\02\63\30\00\03\04\63\30\5f\31\00\03\05\73\74"
    "\61\74\65\00\04\09\0a\01\00\41\04\0b\04\01\00\02\02\0a\d1\06\05\b6\02\04\01\7f\01\7e\01\7f\01\7c"
    "\02\04\41\07\11\03\00\43\00\00\00\4f\41\81\80\80\80\78\20\04\20\00\23\04\85\42\95\f8\a9\fa\97\b7"
    "\de\9b\9e\7f\7e\24\04\20\01\bd\23\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\20\02\bc\ad\23"
    "\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\20\03\ad\23\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e"
    "\7f\7e\24\04\20\04\23\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\20\05\ad\23\04\85\42\95\f8"
    "\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\20\06\bd\23\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\0f"
    "\0b\20\00\23\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\20\01\bd\23\04\85\42\95\f8\a9\fa\97"
    "\b7\de\9b\9e\7f\7e\24\04\20\02\bc\ad\23\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\20\03\ad"
    "\23\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\20\04\23\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e"
    "\7f\7e\24\04\20\05\ad\23\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\20\06\bd\23\04\85\42\95"
    "\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\0b\05\00\02\40\0b\0b\c8\03\00\02\03\02\7f\02\7f\41\c1\b5\ee"
    "\c5\7e\42\0f\44\01\00\00\00\00\00\f0\7f\43\00\00\80\bf\10\00\23\04\85\42\95\f8\a9\fa\97\b7\de\9b"
    "\9e\7f\7e\24\04\ad\23\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\bc\ad\23\04\85\42\95\f8\a9"
    "\fa\97\b7\de\9b\9e\7f\7e\24\04\0b\0b\41\a5\d1\f5\e3\7a\43\00\00\20\40\44\27\09\55\89\d8\08\19\60"
    "\02\01\42\7f\41\d9\ad\ce\dd\02\23\01\43\00\00\20\c0\23\02\43\00\00\87\c2\41\0b\02\7e\41\de\be\9e"
    "\c1\01\41\ff\ff\03\43\00\00\00\80\43\cb\4f\f7\f0\5b\11\00\00\ad\23\04\85\42\95\f8\a9\fa\97\b7\de"
    "\9b\9e\7f\7e\24\04\ad\23\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\42\01\0b\23\04\85\42\95"
    "\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\ad\23\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\bc\ad"
    "\23\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\bd\23\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f"
    "\7e\24\04\bc\ad\23\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\ad\23\04\85\42\95\f8\a9\fa\97"
    "\b7\de\9b\9e\7f\7e\24\04\ad\23\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\23\04\85\42\95\f8"
    "\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\bd\23\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\bc\ad\23"
    "\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\41\81\80\04\41\d9\c8\8d\b8\04\0b\ad\23\04\85\42"
    "\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\ad\23\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\ad"
    "\23\04\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\04\42\e6\dd\cf\d2\c9\e4\95\e7\0e\0b\0b\30\03\01"
    "\7d\01\7f\01\7e\42\f5\88\fe\dd\e1\82\9d\99\d5\00\44\00\00\00\00\00\00\e0\41\43\00\00\80\ff\10\00"
    "\21\02\21\01\21\00\20\00\bc\20\01\20\02\0b\16\03\01\7f\01\7e\01\7f\23\03\23\00\23\01\23\02\bd\fc"
    "\10\00\23\04\0b")
(assert_exhaustion (invoke "c0") "call stack exhausted")
