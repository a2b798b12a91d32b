%% @private
%% @doc The owner process of one wasm instance (the pid `beamr:start/2'
%% returns).
%%
%% It never runs wasm itself. Every NIF finds the instance from this
%% pid (the NIF keeps a registry), and a caller takes the instance
%% directly in the NIF when nobody holds it (the lease). Only callers
%% that find it busy come here: they queue, in order, and get the lease
%% when it is their turn; the NIF tells this process with a
%% `{beamr_lease_free, Res}' message when a directly taken lease is
%% released. It monitors the caller it granted to; if that caller dies
%% mid-call, the call is cancelled and the next caller gets the
%% instance. `stop' cancels any running call (even an infinite loop)
%% and ends the process. Unless started detached, it also ends when the
%% process that started it dies. If it dies in any other way (even
%% killed), the NIF's monitor stops the instance.
%%
%% Events go to `logger' with the metadata `#{domain => [beamr],
%% beamr_instance => Pid}': `info' when the instance stops,
%% `notice' when the process that started it dies and takes it along,
%% `warning' when a caller dies in the middle of a call.
%%
%% Protocol (all asynchronous messages; callers monitor the owner):
%% <ul>
%% <li>`{beamr_acquire, Pid, Ref}' -> `{beamr_granted, Ref}' once it is
%%     Pid's turn (the lease is then Pid's);</li>
%% <li>`{beamr_release, Pid, Ref}' ends a grant or withdraws a queued
%%     request;</li>
%% <li>`{beamr_get, Pid, Ref}' -> `{beamr_info, Ref, Module}';</li>
%% <li>`{beamr_stop, Pid, Ref}' stops the instance; the process exits.</li>
%% <li>`{beamr_get_creator, Pid, Ref}' -> `{beamr_creator, Ref, Creator |
%%     none}' (beamr_dist, to move the instance with its creator);</li>
%% <li>`{beamr_migrated, Pid, Ref, New}' from the lease holder: the
%%     instance moved to `New' (beamr_dist); it is stopped and the
%%     process exits with `{shutdown, {beamr_migrated, New}}', which
%%     callers queued here read to call `New' instead.</li>
%% </ul>
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_instance).
-compile(warn_missing_spec).

-export([start/4, init/3, loop/1]).

%% An owner with nothing to do hibernates (its heap shrinks to what its
%% state needs: 1.2 KB instead of 2.6 KB a process, which counts at
%% 100,000 instances): at once after starting, and again after this
%% long without a message. Calls reach it only when they queue.
-define(HIBERNATE_AFTER_MS, 1000).

-record(state, {
    res :: reference(),
    module :: term(),
    holder = none :: none | {pid(), reference(), reference()},
    queue = queue:new() :: queue:queue({pid(), reference()}),
    creator = none :: none | reference(),
    creator_pid = none :: none | pid()
}).

%% @doc Spawns the owner of `Res' and registers it with the NIF, so that
%% the pid works at once. `Creator' is monitored unless none; with
%% `Link' the caller is linked to the owner (start_link).
-spec start(reference(), term(), pid() | none, boolean()) ->
          {ok, pid()} | {error, term()}.
start(Res, Module, Creator, Link) ->
    Pid = case Link of
              true -> proc_lib:spawn_link(?MODULE, init,
                                          [Res, Module, {Creator, true}]);
              false -> proc_lib:spawn(?MODULE, init,
                                      [Res, Module, {Creator, false}])
          end,
    case beamr_nif:instance_owner(Res, Pid) of
        ok ->
            {ok, Pid};
        Error ->
            exit(Pid, kill),
            Error
    end.

%% @private
-spec init(reference(), term(), {pid() | none, boolean()}) -> no_return().
init(Res, Module, {Creator, Linked}) ->
    _ = Linked andalso process_flag(trap_exit, true),
    Mon = case Creator of
              none -> none;
              Pid -> erlang:monitor(process, Pid)
          end,
    erlang:hibernate(?MODULE, loop,
                     [#state{res = Res, module = Module, creator = Mon,
                             creator_pid = Creator}]).

%% @private
%% @doc The owner's receive loop (exported for `erlang:hibernate/3').
-spec loop(#state{}) -> no_return().
loop(S) ->
    receive
        {beamr_acquire, Pid, Ref} ->
            loop(enqueue(Pid, Ref, S));
        {beamr_release, _Pid, Ref} ->
            loop(release(Ref, S));
        {beamr_lease_free, _Res} ->
            loop(next(S));
        {beamr_get, Pid, Ref} ->
            Pid ! {beamr_info, Ref, S#state.module},
            loop(S);
        {beamr_get_creator, Pid, Ref} ->
            Pid ! {beamr_creator, Ref, S#state.creator_pid},
            loop(S);
        {beamr_migrated, From, Ref, New}
          when element(1, S#state.holder) =:= From ->
            report(info, #{event => migrated, by => From, to => New}),
            ok = beamr_nif:instance_stop(S#state.res),
            From ! {beamr_migrated, Ref},
            exit({shutdown, {beamr_migrated, New}});
        {beamr_stop, From, _Ref} ->
            report(info, #{event => stopped, by => From}),
            shutdown(S);
        {'DOWN', Mon, process, Creator, Why} when Mon =:= S#state.creator ->
            report(notice, #{event => creator_down, creator => Creator,
                             reason => Why}),
            shutdown(S);
        {'EXIT', _From, normal} ->
            loop(S); %% a link's normal end ends nothing (link semantics)
        {'EXIT', From, Why} ->
            %% Linked (start_link) and trapping exits: the supervisor
            %% or the linked starter ends the instance.
            report(info, #{event => stopped, by => From, reason => Why}),
            ok = beamr_nif:instance_stop(S#state.res),
            exit(Why);
        {'DOWN', Mon, process, _, _} ->
            loop(holder_down(Mon, S));
        _Other ->
            loop(S)
    after ?HIBERNATE_AFTER_MS ->
        erlang:hibernate(?MODULE, loop, [S])
    end.

-spec shutdown(#state{}) -> no_return().
shutdown(#state{res = Res}) ->
    ok = beamr_nif:instance_stop(Res),
    exit(normal).

enqueue(Pid, Ref, S = #state{queue = Q}) ->
    next(S#state{queue = queue:in({Pid, Ref}, Q)}).

%% Grants the lease to the first queued caller if nobody holds it. If a
%% caller that took it directly still does, the NIF notes that callers
%% wait here and sends beamr_lease_free when it is released.
next(S = #state{holder = none, queue = Q, res = Res}) ->
    case queue:peek(Q) of
        empty ->
            ok = beamr_nif:lease_idle(Res),
            S;
        {value, {Pid, Ref}} ->
            case beamr_nif:lease_grant(Res, Pid) of
                true -> grant(Pid, Ref, S#state{queue = queue:drop(Q)});
                false -> S
            end
    end;
next(S) ->
    S.

grant(Pid, Ref, S) ->
    Mon = erlang:monitor(process, Pid),
    Pid ! {beamr_granted, Ref},
    S#state{holder = {Pid, Mon, Ref}}.

%% The holder is done, or a queued caller gave up waiting.
release(Ref, S = #state{holder = {Pid, Mon, Ref}, res = Res}) ->
    erlang:demonitor(Mon, [flush]),
    ok = beamr_nif:lease_return(Res, Pid),
    next(S#state{holder = none});
release(Ref, S = #state{queue = Q}) ->
    next(S#state{queue = queue:filter(fun({_, R}) -> R =/= Ref end, Q)}).

%% A caller that dies mid-call releases the instance; its call is
%% cancelled so that a slice it may still be running ends at once.
holder_down(Mon, S = #state{holder = {Pid, Mon, _}, res = Res}) ->
    report(warning, #{event => caller_down, caller => Pid}),
    ok = beamr_nif:instance_cancel(Res),
    ok = beamr_nif:lease_return(Res, Pid),
    next(S#state{holder = none});
holder_down(_Mon, S) ->
    S.

%% A structured report about this instance.
report(Level, Report) ->
    logger:log(Level, Report#{what => beamr_instance},
               #{domain => [beamr], beamr_instance => self()}).
