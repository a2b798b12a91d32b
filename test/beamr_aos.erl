%% @doc Test and benchmark helper: drives HyperBEAM's AO workload
%% (aos-2-pure-xs.wasm, Lua 5.3 by Emscripten, wasm64) the way
%% HyperBEAM's dev_json_iface does: malloc and write a NUL-terminated
%% message JSON and env JSON, call `handle(MsgPtr, EnvPtr)', read the
%% NUL-terminated JSON at the returned pointer. `_start' is never called.
%%
%% Two ways to serve its imports:
%% <ul>
%% <li>`hb': hb_beamr, every import answered by the Erlang import fun
%%     {@link wasi_import/3} (as HyperBEAM does);</li>
%% <li>`native': beamr with native WASI (and the errno stubs for the
%%     `env.__syscall_*' imports); no import reaches Erlang.</li>
%% </ul>
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_aos).

-export([module/0, start/1, start/2, eval/3, output/1, env_json/0,
         msg_json/1, wasi_import/3]).

-define(ESUCCESS, 0).
-define(EBADF, 8).
-define(ENOSYS, 52).
-define(ESPIPE, 70).

-spec module() -> binary().
module() ->
    beamr_wasm:fixture("aos-2-pure-xs.wasm").

-spec start(hb | native) -> {ok, pid()}.
start(How) ->
    start(How, module()).

%% Bin is the wasm binary (or, for hb, anything hb_beamr:start/1 takes).
-spec start(hb | native, binary()) -> {ok, pid()}.
start(hb, Bin) ->
    {ok, W, _Imports, _Exports} = hb_beamr:start(Bin),
    {ok, W};
start(native, Bin) ->
    beamr:start(Bin, #{wasi => #{stdout => discard, stderr => discard}}).

-spec env_json() -> binary().
env_json() ->
    beamr_json:encode(
      #{<<"Process">> =>
            #{<<"Id">> => <<"AOS">>, <<"Owner">> => <<"FOOBAR">>,
              <<"Tags">> => [#{<<"name">> => <<"Name">>,
                               <<"value">> => <<"Thomas">>},
                             #{<<"name">> => <<"Authority">>,
                               <<"value">> => <<"FOOBAR">>}]}}).

-spec msg_json(binary()) -> binary().
msg_json(Code) ->
    beamr_json:encode(
      #{<<"From">> => <<"FOOBAR">>, <<"Block-Height">> => <<"1">>,
        <<"Target">> => <<"AOS">>, <<"Owner">> => <<"FOOBAR">>,
        <<"Id">> => <<"1">>, <<"Module">> => <<"W">>,
        <<"Tags">> => [#{<<"name">> => <<"Action">>,
                         <<"value">> => <<"Eval">>}],
        <<"Data">> => Code}).

%% @doc One message: the decoded JSON response.
-spec eval(hb | native, pid(), binary()) -> {ok, map()} | {error, term()}.
eval(How, W, Code) ->
    {ok, EnvPtr} = hb_beamr_io:write_string(W, env_json()),
    {ok, MsgPtr} = hb_beamr_io:write_string(W, msg_json(Code)),
    case handle(How, W, MsgPtr, EnvPtr) of
        {ok, Ptr} ->
            {ok, Json} = hb_beamr_io:read_string(W, Ptr),
            {ok, beamr_json:decode(Json)};
        Error ->
            Error
    end.

handle(hb, W, MsgPtr, EnvPtr) ->
    case hb_beamr:call(W, "handle", [MsgPtr, EnvPtr], fun wasi_import/3,
                       #{}, #{}) of
        {ok, [Ptr], _State} -> {ok, Ptr};
        Error -> Error
    end;
handle(native, W, MsgPtr, EnvPtr) ->
    %% No import fun: an import reaching Erlang would be an error.
    case beamr:call(W, <<"handle">>, [MsgPtr, EnvPtr]) of
        {ok, [Ptr]} -> {ok, Ptr};
        Error -> Error
    end.

%% @doc response.Output.data of a decoded response.
-spec output(map()) -> term().
output(#{<<"response">> := #{<<"Output">> := #{<<"data">> := Data}}}) ->
    Data;
output(Other) ->
    {no_output, Other}.

%% ------------------------------------------------------------------
%% The imports, served in Erlang (HyperBEAM's way)

%% @doc An import fun serving the module's 14 imports: WASI preview 1
%% with the wasm64 ABI (pointers and sizes are i64; iovecs are two u64),
%% and Emscripten's syscalls, which fail with ENOSYS.
-spec wasi_import(map(), map(), term()) -> {ok, [integer()], map()}.
wasi_import(State, #{module := <<"wasi_snapshot_preview1">>, func := F,
                     args := Args, instance := W}, _Opts) ->
    {Result, State1} = wasi(F, Args, W, State),
    {ok, [Result], State1};
wasi_import(State, #{module := <<"env">>, func := <<"_emscripten_system">>,
                     args := [Cmd]}, _Opts) ->
    {ok, [case Cmd of 0 -> 0; _ -> -?ENOSYS end], State};
wasi_import(State, #{module := <<"env">>}, _Opts) ->
    {ok, [-?ENOSYS], State}.

wasi(<<"clock_time_get">>, [_Id, _Precision, Ptr], W, S) ->
    Now = erlang:system_time(nanosecond),
    ok = hb_beamr_io:write(W, Ptr, <<Now:64/little>>),
    {?ESUCCESS, S};
wasi(<<"fd_write">>, [Fd, Iovs, Count, NPtr], W, S) when Fd =:= 1;
                                                        Fd =:= 2 ->
    {ok, Vec} = hb_beamr_io:read(W, Iovs, 16 * Count),
    Data = [begin {ok, D} = hb_beamr_io:read(W, P, L), D end
            || <<P:64/little, L:64/little>> <= Vec],
    ok = hb_beamr_io:write(W, NPtr, <<(iolist_size(Data)):64/little>>),
    {?ESUCCESS, S#{Fd => [maps:get(Fd, S, []), Data]}};
wasi(<<"fd_read">>, [0, _Iovs, _Count, NPtr], W, S) ->
    ok = hb_beamr_io:write(W, NPtr, <<0:64>>),
    {?ESUCCESS, S};
wasi(<<"environ_sizes_get">>, [CountPtr, SizePtr], W, S) ->
    ok = hb_beamr_io:write(W, CountPtr, <<0:64>>),
    ok = hb_beamr_io:write(W, SizePtr, <<0:64>>),
    {?ESUCCESS, S};
wasi(<<"environ_get">>, _Args, _W, S) ->
    {?ESUCCESS, S};
wasi(<<"fd_seek">>, _Args, _W, S) ->
    {?ESPIPE, S};
wasi(<<"fd_close">>, _Args, _W, S) ->
    {?ESUCCESS, S};
wasi(<<"proc_exit">>, [Code], _W, _S) ->
    throw({proc_exit, Code});
wasi(_F, _Args, _W, S) ->
    {?EBADF, S}.
