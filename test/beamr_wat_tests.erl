%% @doc WAT text through the Erlang API: beamr:wat_to_wasm/1, compile/1,
%% start/1,2 and hb_beamr:start/1,2 with text, and the text errors.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_wat_tests).
-include_lib("eunit/include/eunit.hrl").

-define(ADD, <<"(module\n"
               "  (func (export \"add\") (param $a i32) (param $b i32)"
               " (result i32)\n"
               "    (i32.add (local.get $a) (local.get $b))))\n">>).

wat_to_wasm_test() ->
    {ok, Wasm} = beamr:wat_to_wasm(?ADD),
    ?assertMatch(<<0, "asm", 1, 0, 0, 0, _/binary>>, Wasm),
    %% the encoding is a module the engine compiles like any binary
    {ok, Mod} = beamr:compile(Wasm),
    ?assertEqual([{<<"add">>, {func, [i32, i32], [i32]}}],
                 beamr:exports(Mod)),
    %% a module's fields alone are a module too
    ?assertEqual({ok, <<0, "asm", 1, 0, 0, 0>>}, beamr:wat_to_wasm(<<>>)),
    ?assertEqual({ok, <<0, "asm", 1, 0, 0, 0>>},
                 beamr:wat_to_wasm(<<";; nothing\n(module)">>)).

%% @custom annotations become custom sections (id 0) at their placement;
%% a malformed one is a text error.
custom_annotation_test() ->
    ?assertEqual({ok, <<0, "asm", 1, 0, 0, 0,
                        0, 5, 3, "hdr", "x",
                        0, 5, 3, "end", "y">>},
                 beamr:wat_to_wasm(<<"(module (@custom \"end\" \"y\")"
                                     " (@custom \"hdr\" (before first)"
                                     " \"x\"))">>)),
    ?assertMatch({error, {malformed, #{reason := malformed_annotation}}},
                 beamr:wat_to_wasm(<<"(func (@custom \"a\"))">>)).

compile_text_test() ->
    {ok, Mod} = beamr:compile(?ADD),
    {ok, Inst} = beamr:start(Mod),
    ?assertEqual({ok, [42]}, beamr:call(Inst, <<"add">>, [40, 2])),
    ok = beamr:stop(Inst).

start_text_test() ->
    {ok, Inst} = beamr:start(?ADD),
    ?assertEqual({ok, [-1]}, beamr:call(Inst, <<"add">>, [0, -1])),
    ok = beamr:stop(Inst),
    {ok, Inst2} = beamr:start(<<"  ", ?ADD/binary>>, #{}),
    ?assertEqual({ok, [3]}, beamr:call(Inst2, <<"add">>, [1, 2])),
    ok = beamr:stop(Inst2).

hb_beamr_text_test() ->
    {ok, WASM, [], Exports} = hb_beamr:start(?ADD),
    ?assertEqual([{<<"add">>, [i32, i32], "(ii)i"}], Exports),
    ?assertEqual({ok, [7]}, hb_beamr:call(WASM, "add", [3, 4])),
    hb_beamr:stop(WASM),
    {ok, WASM2, _, _} = hb_beamr:start(?ADD, wasm),
    hb_beamr:stop(WASM2).

text_errors_test() ->
    ?assertMatch({error, {malformed, #{reason := unknown_operator,
                                      message := <<_/binary>>,
                                      line := 2, column := 9}}},
                 beamr:wat_to_wasm(<<"(module\n  (func i32.frob))">>)),
    ?assertMatch({error, {malformed, #{reason := unexpected_end,
                                      line := 1, column := 1}}},
                 beamr:compile(<<"(module (func)">>)),
    ?assertMatch({error, {malformed, #{reason := unknown_label}}},
                 beamr:start(<<"(func br $nowhere)">>)),
    ?assertMatch({error, {malformed, #{reason := malformed_utf8_encoding}}},
                 beamr:wat_to_wasm(<<"(module \"", 255, "\")">>)),
    ?assertMatch({error, {malformed, #{reason := unknown_operator}}},
                 hb_beamr:start(<<"(module (func (i32.const 0x)))">>)),
    %% valid text, invalid module: the validator's error
    ?assertMatch({error, {validation, #{reason := type_mismatch}}},
                 beamr:compile(<<"(func (result i32))">>)),
    %% neither binary nor text: still "not a module"
    ?assertMatch({error, {malformed, #{reason := magic_header_not_detected}}},
                 beamr:compile(<<"not a valid wasm file">>)),
    ?assertError(badarg, beamr:wat_to_wasm(not_a_binary)).

%% A validation error of a text module says where its function is in
%% the text; one outside every function body (or of a binary) does not.
text_error_position_test() ->
    {error, {validation, D}} =
        beamr:compile(<<"(module\n  (func (result i32) i32.const 1)\n"
                        "  (func (result i32)\n    i64.const 2))">>),
    ?assertMatch(#{reason := type_mismatch, line := 3, column := 3,
                   func := 1}, D),
    {error, {validation, D2}} =
        beamr:compile(<<"(module (start 0) (func (param i32)))">>),
    ?assertNot(maps:is_key(line, D2) orelse maps:is_key(column, D2)),
    {ok, Bin} = beamr:wat_to_wasm(<<"(func (result i32) i64.const 2)">>),
    {error, {validation, D3}} = beamr:compile(Bin),
    ?assertNot(maps:is_key(line, D3)).

%% A large text is encoded on a dirty scheduler: same result.
large_text_test() ->
    Funcs = [io_lib:format("(func (export \"f~b\") (result i32) "
                           "(i32.const ~b))~n", [N, N])
             || N <- lists:seq(1, 3000)],
    Text = iolist_to_binary(["(module\n", Funcs, ")"]),
    ?assert(byte_size(Text) > 65536),
    {ok, Inst} = beamr:start(Text),
    ?assertEqual({ok, [2999]}, beamr:call(Inst, <<"f2999">>, [])),
    ok = beamr:stop(Inst).

%% Deep nesting is memory, not C stack, in the text format.
deep_nesting_test() ->
    N = 100000,
    Text = iolist_to_binary(["(func ", lists:duplicate(N, "(block "),
                             lists:duplicate(N, ")"), ")"]),
    {ok, Wasm} = beamr:wat_to_wasm(Text),
    ?assert(byte_size(Wasm) > 3 * N).
