%% @doc Sandboxed NIFs: NIF functions compiled to wasm against
%% `include/erl_nif_wasm.h', called with terms and answering a term
%% (use {@link beamr:call_nif/3} and {@link beamr:call_nif/4}).
%%
%% A call runs as any wasm call does (in the caller's process, in fuel
%% slices on a normal scheduler, stopped by `timeout', `fuel' and
%% {@link beamr:stop/1}); the module's `erl_nif' imports are served
%% natively. Terms stay in the host, in a table of the call: the guest
%% holds 64-bit handles, checked on every use, and the answer is copied
%% into the caller's heap when the function returns. The instance is
%% the caller's for the whole NIF call (other callers queue).
%%
%% == Errors ==
%% <ul>
%% <li>`badarg': the function returned `enif_make_badarg(env)' (or made
%%     a NaN or infinite double, or an atom over 255 bytes);</li>
%% <li>`{exception, Reason}': it returned `enif_raise_exception(env,
%%     Reason)';</li>
%% <li>`{trap, Detail}': the guest trapped; the enif_* functions trap
%%     (`reason => host_error') on a handle that is not one of this
%%     call's (forged, or kept from an earlier call) and on a pointer
%%     out of the guest's memory;</li>
%% <li>`{limit, max_terms | max_binary}': the call made more terms or
%%     binary bytes than its limit;</li>
%% <li>`{invalid_nif, not_a_nif_function | argv_out_of_bounds}': the
%%     export does not have a NIF's type, or the module has no usable
%%     `erl_nif_wasm_argv' buffer (it is not built with the header);</li>
%% <li>`wrong_process': the instance is `process_bound' to another
%%     process;</li>
%% <li>and those of {@link beamr:call/4}: `function_not_found',
%%     `timeout', `out_of_fuel', `stopped', ...</li>
%% </ul>
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_nif_guest).
-compile(warn_missing_spec).

-export([call/4, bind/2]).

-define(ARGV_EXPORT, <<"erl_nif_wasm_argv">>).
-define(MAX_TERMS, 4194304).
-define(MAX_BINARY, 67108864).

%% @doc Calls the NIF function `Name' with `Args' (at most 255 terms).
%%
%% Options: those of {@link beamr:call/4} (`timeout', `fuel',
%% `fuel_slice', `import_fun', `state' for the module's other imports),
%% and the limits of the call: `max_terms' (terms the call may make,
%% arguments included; default 4,194,304) and `max_binary' (bytes of
%% binaries it may make; default 64 MiB).
%%
%% Raises `badarg' for a bad instance, name, argument list or option.
%%
%% Example: `{ok, <<5,4,3,2,1>>} = beamr:call_nif(Inst,
%% <<"binary_reverse">>, [<<1,2,3,4,5>>])'.
-spec call(pid(), binary() | string() | atom(), [term()], map()) ->
          {ok, term()} | {error, term()}.
call(Pid, Name, Args, Opts) when is_pid(Pid), is_list(Args), is_map(Opts),
                                 length(Args) =< 255 ->
    Bin = name(Name, [Pid, Name, Args, Opts]),
    Limits = {limit(max_terms, ?MAX_TERMS, 256, Opts),
              limit(max_binary, ?MAX_BINARY, 0, Opts)},
    CallOpts = maps:without([max_terms, max_binary], Opts),
    case beamr_nif:nif_begin(Pid, Bin, Args, Limits) of
        busy -> queued(Pid, Bin, Args, Limits, CallOpts);
        Begun -> run(Begun, Pid, Bin, CallOpts)
    end;
call(Pid, Name, Args, Opts) ->
    erlang:error(badarg, [Pid, Name, Args, Opts]).

%% @doc Binds a new instance to the calling process (`process_bound'
%% start option of {@link beamr:start/2}); `false' does nothing.
-spec bind(reference(), boolean()) -> ok | {error, term()}.
bind(_Inst, false) ->
    ok;
bind(Inst, true) ->
    beamr_nif:guest_bind(Inst);
bind(_Inst, Other) ->
    erlang:error(badarg, [#{process_bound => Other}]).

name(Name, _Args) when is_binary(Name) ->
    Name;
name(Name, _Args) when is_atom(Name) ->
    atom_to_binary(Name, utf8);
name(Name, Args) when is_list(Name) ->
    case unicode:characters_to_binary(Name) of
        Bin when is_binary(Bin) -> Bin;
        _ -> erlang:error(badarg, Args)
    end;
name(_Name, Args) ->
    erlang:error(badarg, Args).

limit(Key, Default, Min, Opts) ->
    case maps:get(Key, Opts, Default) of
        N when is_integer(N), N >= Min -> N;
        Other -> erlang:error(badarg, [#{Key => Other}])
    end.

%% The session is begun (the instance is ours); the first call on an
%% instance asks the guest where argv goes.
run({ok, Session, CallArgs}, Pid, Name, Opts) ->
    finish(Session, Pid, Name, CallArgs, Opts);
run({argv, Session, Argc}, Pid, Name, Opts) ->
    case guarded(Session, fun() -> first_call(Pid, Argc, Opts) end) of
        {ok, [Ptr]} when is_integer(Ptr) ->
            case beamr_nif:nif_argv(Session, Ptr) of
                {ok, CallArgs} -> finish(Session, Pid, Name, CallArgs, Opts);
                Error -> end_with(Session, Error)
            end;
        {ok, _} ->
            end_with(Session, {error, {invalid_nif, argv_out_of_bounds}});
        {error, function_not_found} ->
            end_with(Session, {error, {invalid_nif, argv_out_of_bounds}});
        Error ->
            end_with(Session, Error)
    end;
run(Error, _Pid, _Name, _Opts) ->
    Error.

%% A reactor's `_initialize' (C constructors, libc) runs before the
%% instance's first NIF call; then the guest tells where argv goes.
first_call(Pid, Argc, Opts) ->
    Init = case beamr:exports(Pid) of
               Exports when is_list(Exports) ->
                   case lists:keymember(<<"_initialize">>, 1, Exports) of
                       true -> beamr:call(Pid, <<"_initialize">>, [], Opts);
                       false -> {ok, []}
                   end;
               NotRunning ->
                   NotRunning
           end,
    case Init of
        {ok, _} -> beamr:call(Pid, ?ARGV_EXPORT, [Argc], Opts);
        Failed -> Failed
    end.

finish(Session, Pid, Name, CallArgs, Opts) ->
    Result = guarded(Session, fun() ->
                                      beamr:call(Pid, Name, CallArgs, Opts)
                              end),
    beamr_nif:nif_end(Session, Result).

%% Ends the session with an error of our own.
end_with(Session, Error) ->
    _ = beamr_nif:nif_end(Session, aborted),
    Error.

%% A raise (a bad option, an import fun's own error is a value) ends the
%% session before it goes on.
guarded(Session, Fun) ->
    try
        Fun()
    catch
        Class:Reason:Stack ->
            _ = beamr_nif:nif_end(Session, aborted),
            erlang:raise(Class, Reason, Stack)
    end.

%% Another process holds the instance: queue at its owner (the protocol
%% of beamr_instance), then begin with the granted lease.
queued(Pid, Name, Args, Limits, Opts) ->
    Mon = erlang:monitor(process, Pid),
    Pid ! {beamr_acquire, self(), Mon},
    receive
        {beamr_granted, Mon} ->
            try beamr_nif:nif_begin(Pid, Name, Args, Limits) of
                busy -> {error, stopped};
                Begun -> run(Begun, Pid, Name, Opts)
            after
                Pid ! {beamr_release, self(), Mon},
                erlang:demonitor(Mon, [flush])
            end;
        {'DOWN', Mon, process, Pid, _} ->
            {error, stopped}
    after wait_ms(Opts) ->
        Pid ! {beamr_release, self(), Mon},
        erlang:demonitor(Mon, [flush]),
        receive {beamr_granted, Mon} -> ok after 0 -> ok end,
        {error, timeout}
    end.

wait_ms(Opts) ->
    case maps:get(timeout, Opts, infinity) of
        T when is_integer(T), T >= 0 -> T;
        _ -> infinity
    end.
