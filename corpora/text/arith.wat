(module
  (type $t (func (param i32 i32) (result i32)))
  (func $add (export "add") (type $t) (i32.add (local.get 0) (local.get 1)))
  (func (export "fac") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (i64.mul (local.get 0) (call 1 (i64.sub (local.get 0) (i64.const 1))))))))
