%% @private
%% @doc Private NIF stubs of beamr (c_src/nif). Use the `beamr' module.
%%
%% Every stub raises `{not_loaded, Details}' until the library is
%% loaded; if loading fails, `on_load' logs why (path and reason) and
%% the stubs raise that reason, so the cause is never hidden behind an
%% `undef'.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_nif).
-compile(warn_missing_spec).

-export([module_new/1, wat_to_wasm/1, module_imports/1, module_exports/1,
         module_native_info/1, module_native_compile/1,
         module_serialize/1, module_deserialize/1,
         instance_new/4, instance_stop/1, instance_cancel/1,
         instance_owner/2, lease_grant/2, lease_return/2, lease_idle/1,
         instance_snapshot/1,
         instance_snapshot_call/1, instance_restore_call/2,
         call_start/4, call_resume/2, call_abort/1,
         memory_size/1, gc_stats/1, memory_read/3, memory_read_cstring/3,
         memory_write/3, memory_grow/2,
         global_get/2, global_set/3, table_size/2, table_get/3,
         wasi_output/2, load_error/0,
         guest_bind/1, nif_begin/4, nif_argv/2, nif_end/2,
         instance_set_data/2, instance_data/1, instance_mode/1, fuel_add/2,
         fuel_remaining/1, pipe_new/0, pipe_write/2, pipe_close/1,
         pipe_wait/1]).

%% Every function taking an instance accepts its resource or the pid of
%% its owner process (found through the NIF's registry; a pid that owns
%% no running instance gives `{error, stopped}').
-type inst() :: reference() | pid().

-on_load(init/0).

-define(NOT_LOADED, erlang:nif_error({not_loaded, load_error()})).

-spec init() -> ok.
init() ->
    Path = filename:join(priv_dir(), "beamr_nif"),
    %% The VM-wide cap on WASI host fds: application env max_host_fds;
    %% the default cap on every memory: max_memory_pages.
    LoadInfo = maps:merge(
                 case application:get_env(beamr, max_host_fds) of
                     {ok, Max} -> #{max_host_fds => Max};
                     undefined -> #{}
                 end,
                 load_max_memory_pages()),
    case erlang:load_nif(Path, LoadInfo) of
        ok ->
            persistent_term:erase({?MODULE, load_error}),
            ok;
        {error, {Reason, Text}} ->
            Error = #{path => Path, reason => Reason, text => Text},
            persistent_term:put({?MODULE, load_error}, Error),
            logger:error("beamr: cannot load the NIF library ~ts.so: "
                         "~p: ~ts", [Path, Reason, Text]),
            %% Keep the module loaded so that every call raises
            %% {not_loaded, Error} with the cause instead of undef.
            ok
    end.

%% The application env max_memory_pages: a positive integer or
%% `infinity'; anything else is reported and the default kept.
-spec load_max_memory_pages() -> #{max_memory_pages => pos_integer() | infinity}.
load_max_memory_pages() ->
    case application:get_env(beamr, max_memory_pages) of
        undefined ->
            #{};
        {ok, Pages} when (is_integer(Pages) andalso Pages > 0)
                         orelse Pages =:= infinity ->
            #{max_memory_pages => Pages};
        {ok, Bad} ->
            logger:error("beamr: application env max_memory_pages must be "
                         "a positive integer or infinity, not ~p: the "
                         "default applies", [Bad]),
            #{}
    end.

%% @doc Why the NIF library did not load (`undefined' if it did).
-spec load_error() -> undefined | map().
load_error() ->
    persistent_term:get({?MODULE, load_error}, undefined).

-spec priv_dir() -> file:filename().
priv_dir() ->
    case code:priv_dir(beamr) of
        {error, bad_name} ->
            %% Not run as an installed application (plain -pa ebin):
            %% priv/ sits next to the ebin/ this module came from.
            Ebin = filename:dirname(code:which(?MODULE)),
            filename:join(filename:dirname(Ebin), "priv");
        Dir ->
            Dir
    end.

-spec module_new(binary()) -> {ok, reference()} | {error, term()}.
module_new(_Bin) -> ?NOT_LOADED.

-spec wat_to_wasm(binary()) -> {ok, binary()} | {error, term()}.
wat_to_wasm(_Text) -> ?NOT_LOADED.

-spec module_imports(reference()) -> [{binary(), binary(), tuple()}].
module_imports(_Mod) -> ?NOT_LOADED.

-spec module_exports(reference()) -> [{binary(), tuple()}].
module_exports(_Mod) -> ?NOT_LOADED.

-spec module_native_info(reference()) -> #{atom() => term()}.
module_native_info(_Mod) -> ?NOT_LOADED.

-spec module_native_compile(reference()) -> ok | {error, term()}.
module_native_compile(_Mod) -> ?NOT_LOADED.

-spec module_serialize(reference()) -> {ok, binary()} | {error, term()}.
module_serialize(_Mod) -> ?NOT_LOADED.

-spec module_deserialize(binary()) -> {ok, reference()} | {error, term()}.
module_deserialize(_Bin) -> ?NOT_LOADED.

-spec instance_new(reference(), map(), [term()], tuple() | undefined) ->
          {ok, reference(), boolean()} | {error, term()}.
instance_new(_Mod, _Limits, _ImportSpecs, _Wasi) -> ?NOT_LOADED.

-spec instance_stop(inst()) -> ok.
instance_stop(_Inst) -> ?NOT_LOADED.

-spec instance_cancel(inst()) -> ok.
instance_cancel(_Inst) -> ?NOT_LOADED.

-spec instance_owner(reference(), pid()) -> ok | {error, term()}.
instance_owner(_Inst, _Pid) -> ?NOT_LOADED.

-spec lease_grant(reference(), pid()) -> boolean().
lease_grant(_Inst, _Pid) -> ?NOT_LOADED.

-spec lease_return(reference(), pid()) -> ok.
lease_return(_Inst, _Pid) -> ?NOT_LOADED.

-spec lease_idle(reference()) -> ok.
lease_idle(_Inst) -> ?NOT_LOADED.

-spec instance_snapshot(inst()) -> {ok, binary()} | {error, term()}.
instance_snapshot(_Inst) -> ?NOT_LOADED.

-spec instance_snapshot_call(inst()) -> {ok, binary()} | {error, term()}.
instance_snapshot_call(_Inst) -> ?NOT_LOADED.

-spec instance_restore_call(inst(), binary()) -> ok | {error, term()}.
instance_restore_call(_Inst, _Bin) -> ?NOT_LOADED.

-spec call_start(inst(), binary() | non_neg_integer() | '$start' | '$parked',
                 list(),
                 {integer(), integer() | infinity, non_neg_integer()} |
                 {integer(), integer() | infinity, non_neg_integer(),
                  suspended}) ->
          {ok, list()} |
          {import, reference(), {binary(), binary(), string()}, list()} |
          {error, term()} | busy.
call_start(_Inst, _Target, _Args, _Opts) -> ?NOT_LOADED.

-spec call_resume(reference(), term()) ->
          {ok, list()} |
          {import, reference(), {binary(), binary(), string()}, list()} |
          {error, term()}.
call_resume(_Call, _Results) -> ?NOT_LOADED.

-spec call_abort(reference()) -> ok.
call_abort(_Call) -> ?NOT_LOADED.

-spec memory_size(inst()) -> {ok, non_neg_integer()} | {error, term()}.
memory_size(_Inst) -> ?NOT_LOADED.

-spec gc_stats(inst()) -> {ok, #{atom() => non_neg_integer()}} |
          {error, term()}.
gc_stats(_Inst) -> ?NOT_LOADED.

-spec memory_read(inst(), integer(), integer()) ->
          {ok, binary()} | {error, term()}.
memory_read(_Inst, _Offset, _Len) -> ?NOT_LOADED.

-spec memory_read_cstring(inst(), integer(),
                          non_neg_integer() | infinity) ->
          {ok, binary()} | {error, term()}.
memory_read_cstring(_Inst, _Offset, _Max) -> ?NOT_LOADED.

-spec memory_write(inst(), integer(), binary()) -> ok | {error, term()}.
memory_write(_Inst, _Offset, _Data) -> ?NOT_LOADED.

-spec memory_grow(inst(), integer()) ->
          {ok, non_neg_integer()} | {error, term()}.
memory_grow(_Inst, _Delta) -> ?NOT_LOADED.

-spec global_get(inst(), binary()) -> {ok, term()} | {error, term()}.
global_get(_Inst, _Name) -> ?NOT_LOADED.

-spec global_set(inst(), binary(), term()) -> ok | {error, term()}.
global_set(_Inst, _Name, _Value) -> ?NOT_LOADED.

-spec table_size(inst(), binary() | non_neg_integer()) ->
          {ok, non_neg_integer()} | {error, term()}.
table_size(_Inst, _Table) -> ?NOT_LOADED.

-spec table_get(inst(), binary() | non_neg_integer(), integer()) ->
          {ok, term()} | {error, term()}.
table_get(_Inst, _Table, _Index) -> ?NOT_LOADED.

-spec wasi_output(inst(), stdout | stderr) -> {ok, binary()} | {error, term()}.
wasi_output(_Inst, _Stream) -> ?NOT_LOADED.

%% Sandboxed NIFs (c_src/nif/nif_guest.c, used by beamr_nif_guest).
-spec guest_bind(reference()) -> ok | {error, term()}.
guest_bind(_Inst) -> ?NOT_LOADED.

-spec nif_begin(inst(), binary(), list(), {pos_integer(), non_neg_integer()}) ->
          {ok, reference(), [integer()]} | {argv, reference(), 0..255} |
          busy | {error, term()}.
nif_begin(_Inst, _Name, _Args, _Limits) -> ?NOT_LOADED.

-spec nif_argv(reference(), integer()) -> {ok, [integer()]} | {error, term()}.
nif_argv(_Session, _Ptr) -> ?NOT_LOADED.

-spec nif_end(reference(), term()) -> {ok, term()} | {error, term()}.
nif_end(_Session, _Result) -> ?NOT_LOADED.

-spec instance_set_data(inst(), term()) -> ok | {error, term()}.
instance_set_data(_Inst, _Data) -> ?NOT_LOADED.

-spec instance_data(inst()) -> term().
instance_data(_Inst) -> ?NOT_LOADED.

-spec fuel_add(inst(), non_neg_integer()) -> ok | {error, term()}.
fuel_add(_Inst, _N) -> ?NOT_LOADED.

-spec fuel_remaining(inst()) ->
          {ok, non_neg_integer() | infinity} | {error, term()}.
fuel_remaining(_Inst) -> ?NOT_LOADED.

-spec pipe_new() -> reference().
pipe_new() -> ?NOT_LOADED.

-spec pipe_write(reference(), binary()) -> ok | {error, term()}.
pipe_write(_Pipe, _Data) -> ?NOT_LOADED.

-spec pipe_close(reference()) -> ok.
pipe_close(_Pipe) -> ?NOT_LOADED.

-spec pipe_wait(reference()) -> ready | wait.
pipe_wait(_Pipe) -> ?NOT_LOADED.

-spec instance_mode(inst()) -> seed | hyperbeam | {error, term()}.
instance_mode(_Inst) -> ?NOT_LOADED.
