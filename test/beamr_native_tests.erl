%% @doc EUnit tests of the native tier from Erlang (docs/native-tier.md):
%% the `tier' start option, the same results and traps as the
%% interpreter, imports answered in the caller's process from machine
%% code, stop and fuel on an endless loop, and beamr:native_info/1.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_native_tests).
-include_lib("eunit/include/eunit.hrl").

wat() ->
    <<"(module
        (import \"env\" \"cb\" (func $cb (param i32) (result i32)))
        (memory (export \"mem\") 1)
        (func (export \"sum\") (param $n i32) (result i64)
          (local $i i32) (local $s i64)
          (block $d (loop $l
            (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
            (i32.store (i32.and (i32.shl (local.get $i) (i32.const 2))
                                (i32.const 65532)) (local.get $i))
            (local.set $s (i64.add (local.get $s) (i64.mul
              (i64.extend_i32_u (local.get $i)) (i64.const 3))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $l)))
          (local.get $s))
        (func (export \"calls\") (param $n i32) (result i32)
          (local $s i32)
          (block $d (loop $l
            (br_if $d (i32.eqz (local.get $n)))
            (local.set $s (i32.add (local.get $s) (call $cb (local.get $n))))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $l)))
          (local.get $s))
        (func (export \"oob\") (param i32) (result i32)
          (i32.load (local.get 0)))
        (func (export \"spin\") (loop $l (br $l))))">>.

module() ->
    {ok, Wasm} = beamr:wat_to_wasm(wat()),
    {ok, Mod} = beamr:compile(Wasm),
    Mod.

start(Mod, Tier) ->
    Cb = fun([X]) -> [X * 2] end,
    {ok, I} = beamr:start(Mod, #{tier => Tier,
                                 imports => #{{<<"env">>, <<"cb">>} => Cb}}),
    I.

same_results_test() ->
    Mod = module(),
    [Interp, Native, Auto] = [start(Mod, T) || T <- [interp, native, auto]],
    Calls = [{<<"sum">>, [100000]}, {<<"calls">>, [500]},
             {<<"oob">>, [65535]}, {<<"oob">>, [4]}],
    [begin
         R = beamr:call(Interp, F, A),
         ?assertEqual(R, beamr:call(Native, F, A)),
         ?assertEqual(R, beamr:call(Auto, F, A))
     end || {F, A} <- Calls],
    ?assertMatch({error, {trap, #{reason := out_of_bounds_memory_access}}},
                 beamr:call(Native, <<"oob">>, [65535])),
    ?assertEqual(beamr:read(Interp, 0, 4096), beamr:read(Native, 0, 4096)),
    Info = beamr:native_info(Mod),
    ?assertMatch(#{native_available := true, native_functions := N,
                   code_bytes := B} when N >= 3 andalso B > 0, Info),
    [ok = beamr:stop(I) || I <- [Interp, Native, Auto]].

%% Imports run in the caller's process while the call runs in machine code.
import_in_caller_test() ->
    Self = self(),
    {ok, I} = beamr:start(module(), #{tier => native,
                                      imports => #{{<<"env">>, <<"cb">>} =>
                                          fun([X]) ->
                                              Self = self(),
                                              [X]
                                          end}}),
    ?assertEqual({ok, [5050]}, beamr:call(I, <<"calls">>, [100])),
    ok = beamr:stop(I).

spin_stop_and_fuel_test_() ->
    {timeout, 30, fun() ->
        Mod = module(),
        I = start(Mod, native),
        ?assertMatch({error, out_of_fuel},
                     beamr:call(I, <<"spin">>, [], #{fuel => 1000000})),
        ?assertMatch({error, timeout},
                     beamr:call(I, <<"spin">>, [], #{timeout => 100})),
        Self = self(),
        spawn(fun() -> Self ! {spun, beamr:call(I, <<"spin">>, [])} end),
        timer:sleep(100),
        ok = beamr:stop(I),
        receive {spun, R} -> ?assertEqual({error, stopped}, R)
        after 5000 -> ?assert(false)
        end
    end}.

bad_tier_test() ->
    ?assertError(badarg, beamr:start(module(), #{tier => fast})),
    ?assertError(badarg, beamr:native_info(not_a_module)).

%% compile/2 with `tier => native' makes machine code for every function
%% up front (on a dirty scheduler); instances run it with the same results.
compile_native_test() ->
    {ok, Wasm} = beamr:wat_to_wasm(wat()),
    {ok, Lazy} = beamr:compile(Wasm, #{tier => auto}),
    ?assertMatch(#{native_functions := 0}, beamr:native_info(Lazy)),
    {ok, Mod} = beamr:compile(Wasm, #{tier => native}),
    Info = beamr:native_info(Mod),
    case Info of
        #{native_available := true} ->
            %% the four functions of wat() (the import has none)
            ?assertMatch(#{native_functions := 4, code_bytes := B}
                           when B > 0, Info);
        #{native_available := false} ->
            ?assertMatch(#{native_functions := 0}, Info)
    end,
    I = start(Mod, native),
    ?assertEqual({ok, [14999850000]}, beamr:call(I, <<"sum">>, [100000])),
    ok = beamr:stop(I),
    ?assertError(badarg, beamr:compile(Wasm, #{tier => fast})),
    ?assertError(badarg, beamr:compile(Wasm, [])),
    ?assertMatch({error, {malformed, _}},
                 beamr:compile(<<0, "asm", 9>>, #{tier => native})).

%% A function longer than the NIF's lazy limit (16,384 words of internal
%% code) is not compiled at its call on a normal scheduler: it runs in
%% the interpreter, with the same result, until compile/2 with
%% `tier => native' compiles it on a dirty one.
long_function_test() ->
    Body = binary:copy(<<"(local.set 0 (i32.add (local.get 0) (i32.const 3)))\n">>,
                       8000),
    Wat = <<"(module (func (export \"long\") (param i32) (result i32)\n",
            Body/binary, "(local.get 0)))">>,
    {ok, Wasm} = beamr:wat_to_wasm(Wat),
    {ok, Lazy} = beamr:compile(Wasm),
    {ok, I} = beamr:start(Lazy, #{tier => native}),
    ?assertEqual({ok, [24001]}, beamr:call(I, <<"long">>, [1])),
    ?assertMatch(#{native_functions := 0}, beamr:native_info(Lazy)),
    ok = beamr:stop(I),
    {ok, Eager} = beamr:compile(Wasm, #{tier => native}),
    {ok, I2} = beamr:start(Eager, #{tier => native}),
    ?assertEqual({ok, [24001]}, beamr:call(I2, <<"long">>, [1])),
    case beamr:native_info(Eager) of
        #{native_available := true} = Info ->
            ?assertMatch(#{native_functions := 1}, Info);
        _ ->
            ok
    end,
    ok = beamr:stop(I2).
