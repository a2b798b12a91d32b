%% @doc EUnit tests of HyperBEAM's AO workload (aos-2-pure-xs.wasm: Lua
%% 5.3 by Emscripten, wasm64 + legacy exceptions), driven as HyperBEAM's
%% dev_json_iface drives it (see beamr_aos): through hb_beamr with every
%% import served by an Erlang import fun, and through beamr with native
%% WASI; state across messages, snapshots into fresh instances, Lua
%% errors, aot.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_aos_tests).
-include_lib("eunit/include/eunit.hrl").

-define(T(F), {timeout, 120, F}).

eval_data(How, W, Code) ->
    {ok, Response} = beamr_aos:eval(How, W, Code),
    beamr_aos:output(Response).

hb_one_plus_one_test_() ->
    ?T(fun() ->
               {ok, W} = beamr_aos:start(hb),
               ?assertEqual(<<"2">>, eval_data(hb, W, <<"return 1 + 1">>)),
               hb_beamr:stop(W)
       end).

native_one_plus_one_test_() ->
    ?T(fun() ->
               {ok, I} = beamr_aos:start(native),
               ?assertEqual(<<"2">>, eval_data(native, I, <<"return 1 + 1">>)),
               beamr:stop(I)
       end).

%% hb_beamr with its documented native-WASI option: the import fun is
%% never called.
hb_native_wasi_test_() ->
    ?T(fun() ->
               {ok, W, _, _} = hb_beamr:start(beamr_aos:module(), wasm,
                                              #{wasi => #{}}),
               ?assertEqual(<<"2">>, eval_data(native, W, <<"return 1 + 1">>)),
               hb_beamr:stop(W)
       end).

state_persists_test_() ->
    ?T(fun() ->
               [begin
                    {ok, W} = beamr_aos:start(How),
                    eval_data(How, W, <<"X = 1337">>),
                    ?assertEqual(<<"1337">>,
                                 eval_data(How, W, <<"return X">>)),
                    ?assertEqual(<<"1338">>,
                                 eval_data(How, W, <<"X = X + 1; return X">>)),
                    beamr:stop(W)
                end || How <- [hb, native]]
       end).

%% A snapshot taken after a message restores into a fresh instance,
%% which goes on where the first one was.
snapshot_restore_test_() ->
    ?T(fun() ->
               {ok, Mod} = beamr:compile(beamr_aos:module()),
               Opts = #{wasi => #{stdout => discard}},
               {ok, A} = beamr:start(Mod, Opts),
               eval_data(native, A, <<"X = 1337; Y = {1, 2, 3}">>),
               {ok, Snap} = beamr:snapshot(A),
               ok = beamr:stop(A),
               {ok, B} = beamr:start(Mod, Opts),
               ok = beamr:restore(B, Snap),
               ?assertEqual(<<"1340">>,
                            eval_data(native, B, <<"return X + #Y">>)),
               %% A fresh instance without it does not know X.
               {ok, C} = beamr:start(Mod, Opts),
               ?assertNotEqual(<<"1337">>,
                               eval_data(native, C, <<"return X">>)),
               beamr:stop(B),
               beamr:stop(C)
       end).

%% The snapshot of an hb_beamr instance (imports served in Erlang)
%% restores into a separately compiled beamr instance with native WASI.
snapshot_across_drivers_test_() ->
    ?T(fun() ->
               {ok, W} = beamr_aos:start(hb),
               eval_data(hb, W, <<"Greeting = 'hello'">>),
               {ok, Snap} = beamr:snapshot(W),
               hb_beamr:stop(W),
               {ok, I} = beamr_aos:start(native),
               ok = beamr:restore(I, Snap),
               ?assertEqual(<<"hello">>,
                            eval_data(native, I, <<"return Greeting">>)),
               beamr:stop(I)
       end).

%% A Lua error is an error response; the process keeps working.
lua_error_test_() ->
    ?T(fun() ->
               {ok, I} = beamr_aos:start(native),
               {ok, R} = beamr_aos:eval(native, I, <<"error('boom')">>),
               #{<<"response">> := #{<<"Error">> := Err}} = R,
               ?assertNotEqual(nomatch, binary:match(Err, <<"boom">>)),
               {ok, R2} = beamr_aos:eval(native, I,
                                         <<"local t = nil; return t.x">>),
               ?assertMatch(#{<<"response">> := #{<<"Error">> := _}}, R2),
               ?assertEqual(<<"42">>, eval_data(native, I,
                                                <<"return 2 * 21">>)),
               beamr:stop(I)
       end).

%% Saved compiled module (hb_beamr's aot mode) runs the same workload.
aot_test_() ->
    ?T(fun() ->
               {ok, Mod} = beamr:compile(beamr_aos:module()),
               {ok, Aot} = beamr:module_to_binary(Mod),
               {ok, W, Imports, _} = hb_beamr:start(Aot, aot),
               ?assertEqual(14, length(Imports)),
               ?assertEqual(<<"2">>, eval_data(hb, W, <<"return 1 + 1">>)),
               hb_beamr:stop(W)
       end).

%% The errno answers of the Emscripten stubs reach Lua: os.remove and
%% os.rename fail cleanly (ENOSYS), with either way of serving imports.
syscall_stubs_test_() ->
    ?T(fun() ->
               Code = <<"local ok, err = os.remove('/x'); "
                        "local ok2, err2 = os.rename('/a', '/b'); "
                        "return tostring(ok) .. ' ' .. tostring(ok2) .. ' ' "
                        ".. tostring(os.execute())">>,
               [begin
                    {ok, W} = beamr_aos:start(How),
                    ?assertEqual(<<"nil nil false">>, eval_data(How, W, Code)),
                    beamr:stop(W)
                end || How <- [hb, native]]
       end).
