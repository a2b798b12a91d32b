%% @private
%% @doc Instances on other nodes: remote start, remote calls and
%% operations, migration between calls. `beamr' hands over to this
%% module when an instance's pid is on another node (or `start/2' is
%% given `node => Node'); users call `beamr'.
%%
%% <ul>
%% <li>Modules travel once. The starting node compiles the module and
%% sends a key first: the SHA-256 of the engine's build (its NIF
%% library) and the module's compiled form ({@link beamr:module_to_binary/1}).
%% A node that has no module under that key answers `need_module', and
%% only then are the bytes sent. Each node keeps the modules it loaded
%% so (an ETS table owned by the registered process `beamr_dist'), and
%% the starting node remembers the keys of the last 256 or so modules
%% it started remotely.</li>
%% <li>A remote call runs in a proxy process on the instance's node,
%% which drives the call there with an import fun that sends each
%% import to the caller: the caller runs its import fun (or what the
%% start bound) in its own process and sends the answer back. A guard
%% process beside the proxy kills it when the caller dies or its node
%% goes away, which releases the instance as a dead local caller
%% does.</li>
%% <li>Other operations (memory, globals, tables, fuel, snapshots) run
%% on the instance's node through `erpc'.</li>
%% <li>Migration holds the instance's lease (so no call runs), saves a
%% snapshot, starts the module on the target node without running its
%% start function, restores the snapshot there and tells the old owner,
%% which stops the instance and exits with `{shutdown, {beamr_migrated,
%% New}}': callers queued there call `New' instead.</li>
%% </ul>
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_dist).
-compile(warn_missing_spec).

-export([start/2, call/6, remote/3, migrate/3]).
%% Run on the other node through erpc or spawn.
-export([start_here/4, proxy/7, migrate_here/3, build_id/0]).

-define(CACHE, beamr_dist).

%% ------------------------------------------------------------------
%% Remote start

%% @doc `beamr:start(ModOrBin, Opts)' with `node => Node' another node.
-spec start(beamr:wasm_module() | binary(), beamr:start_opts()) ->
          {ok, pid()} | {error, term()}.
start(Bin, Opts) when is_binary(Bin) ->
    case beamr:compile(Bin) of
        {ok, Mod} -> start(Mod, Opts);
        Error -> Error
    end;
start(Mod, Opts0 = #{node := Node}) ->
    Link = maps:get('$link', Opts0, false),
    Opts = maps:without([node, '$link'], Opts0),
    Remote = Opts#{'$creator' => self(), '$defer_start' => true},
    case start_on(Node, Mod, Remote) of
        {ok, Pid} ->
            finish_start(Pid, false, Link, Opts);
        {ok, Pid, start_pending} ->
            finish_start(Pid, true, Link, Opts);
        Error ->
            Error
    end.

%% Sends the key, then the module if the node does not have it.
start_on(Node, Mod, Opts) ->
    Build = build_id(),
    case module_key(Mod) of
        {ok, Key} ->
            case rpc(Node, start_here, [Key, Build, none, Opts]) of
                need_module ->
                    {ok, Aot} = beamr:module_to_binary(Mod),
                    rpc(Node, start_here, [Key, Build, Aot, Opts]);
                Other ->
                    Other
            end;
        Error ->
            Error
    end.

%% A module's key, remembered for the modules started remotely last
%% (serializing and hashing a large module at every start would cost
%% more than the start). At most ?KEYS are kept, so that modules
%% nobody uses any more are not kept alive for ever.
-define(KEYS, 256).
module_key(Mod) ->
    case lookup({key, Mod}) of
        {ok, Key} ->
            {ok, Key};
        none ->
            case beamr:module_to_binary(Mod) of
                {ok, Aot} ->
                    Key = crypto:hash(sha256, [build_id(), Aot]),
                    Tab = cache(),
                    _ = ets:info(Tab, size) > 2 * ?KEYS andalso
                        ets:match_delete(Tab, {{key, '_'}, '_'}),
                    ets:insert(Tab, {{key, Mod}, Key}),
                    {ok, Key};
                Error ->
                    Error
            end
    end.

%% The start function runs here, its imports in this process; a linked
%% start links this process (the erpc worker that started it is gone).
finish_start(Pid, HasStart, Link, Opts) ->
    _ = Link andalso link(Pid),
    case HasStart of
        false ->
            {ok, Pid};
        true ->
            Fun = maps:get(import_fun, Opts, undefined),
            State = maps:get(state, Opts, undefined),
            case beamr:call(Pid, '$start', [], Fun, State, Opts) of
                {ok, _, _} ->
                    {ok, Pid};
                Error ->
                    beamr:stop(Pid),
                    Error
            end
    end.

%% @doc On the instance's node: starts the module cached under `Key',
%% or loads `Aot' first; `need_module' if neither.
-spec start_here(binary(), binary(), binary() | none, map()) ->
          {ok, pid()} | {ok, pid(), start_pending} | need_module |
          {error, term()}.
start_here(Key, Build, Aot, Opts) ->
    case build_id() of
        Build -> start_cached(Key, Aot, Opts);
        _ -> {error, {build_mismatch, node()}}
    end.

start_cached(Key, Aot, Opts) ->
    case lookup(Key) of
        {ok, Mod} ->
            beamr:start(Mod, Opts);
        none when Aot =:= none ->
            need_module;
        none ->
            case crypto:hash(sha256, [build_id(), Aot]) of
                Key -> load_and_start(Key, Aot, Opts);
                _ -> {error, {bad_module_key, node()}}
            end
    end.

load_and_start(Key, Aot, Opts) ->
    case beamr:binary_to_module(Aot) of
        {ok, Mod} ->
            ets:insert(cache(), {Key, Mod}),
            beamr:start(Mod, Opts);
        Error ->
            Error
    end.

lookup(Key) ->
    case ets:whereis(?CACHE) of
        undefined -> none;
        _ ->
            case ets:lookup(?CACHE, Key) of
                [{Key, Mod}] -> {ok, Mod};
                [] -> none
            end
    end.

%% The module cache of this node, created on first use: a public table
%% owned by a registered process that lives as long as the node.
cache() ->
    case ets:whereis(?CACHE) of
        undefined ->
            Self = self(),
            {Owner, Mon} = spawn_monitor(fun() -> cache_owner(Self) end),
            receive
                {Owner, ready} -> erlang:demonitor(Mon, [flush]);
                {'DOWN', Mon, process, Owner, _} -> ok %% lost a race
            end,
            ?CACHE;
        _ ->
            ?CACHE
    end.

%% Creating the named table decides the race between two first users:
%% the loser's table exists when it sees this process end.
cache_owner(Parent) ->
    try ets:new(?CACHE, [named_table, public, set,
                         {read_concurrency, true}]) of
        _ ->
            true = register(?CACHE, self()),
            Parent ! {self(), ready},
            receive after infinity -> ok end
    catch
        error:badarg -> ok %% another process owns it already
    end.

%% @doc This node's engine build: the SHA-256 of the NIF library, read
%% once. Compiled modules only move between nodes of the same build.
-spec build_id() -> binary().
build_id() ->
    case persistent_term:get({?MODULE, build}, undefined) of
        undefined ->
            Ebin = filename:dirname(code:which(beamr_nif)),
            So = filename:join([filename:dirname(Ebin), "priv",
                                "beamr_nif.so"]),
            Id = case file:read_file(So) of
                     {ok, Lib} -> crypto:hash(sha256, Lib);
                     {error, _} -> crypto:hash(sha256, So)
                 end,
            persistent_term:put({?MODULE, build}, Id),
            Id;
        Id ->
            Id
    end.

%% ------------------------------------------------------------------
%% Remote calls

%% @doc `beamr:call_state/6' on an instance of another node.
-spec call(pid(), term(), term(), beamr:import_fun() | undefined, term(),
           term()) -> term().
call(Pid, Func, Args, Fun, State, Opts) ->
    case get({?MODULE, active, Pid}) of
        undefined ->
            new_call(Pid, Func, Args, Fun, State, Opts);
        Active ->
            %% From an import fun of a call on this instance: the call
            %% nests in the proxy, which holds the instance.
            nested(Active, {call, Func, Args, State, Opts}, Fun, State, Opts)
    end.

new_call(Pid, Func, Args, Fun, State, Opts) ->
    Ref = make_ref(),
    Node = node(Pid),
    {Proxy, Mon} = spawn_monitor(Node, ?MODULE, proxy,
                                 [self(), Ref, Pid, Func, Args, State, Opts]),
    Result = caller_loop(#{ref => Ref, proxy => Proxy, mon => Mon,
                           pid => Pid, fun_ => Fun, opts => Opts,
                           data => none, state => State, done => done}),
    erlang:demonitor(Mon, [flush]),
    Result.

%% A call or operation made from inside an import fun of the remote
%% call `{Pid, Proxy, Ref, Mon}': the proxy runs it (it holds the
%% instance) and this process serves the imports of a nested call.
nested({Pid, Proxy, Ref, Mon}, Op, Fun, State, Opts) ->
    Proxy ! {Ref, nested, Op},
    caller_loop(#{ref => Ref, proxy => Proxy, mon => Mon, pid => Pid,
                  fun_ => Fun, opts => Opts, data => none, state => State,
                  done => nested_done}).

%% Serves the imports the proxy sends until the call ends.
caller_loop(L = #{ref := Ref, proxy := Proxy, mon := Mon, done := Done}) ->
    receive
        {Ref, import, Import, S} ->
            {Reply, L1} = run_import(Import, S, L),
            Proxy ! {Ref, reply, Reply},
            caller_loop(L1#{state := S});
        {Ref, Done, Result} ->
            Result;
        {'DOWN', Mon, process, Proxy, Why} = Down ->
            %% A nested loop leaves the news for the outer one.
            _ = case Done of
                    nested_done -> self() ! Down;
                    done -> ok
                end,
            Reason = case Why of
                         noconnection -> {nodedown, node(Proxy)};
                         _ -> {proxy_down, Why}
                     end,
            {error, Reason, maps:get(state, L)}
    end.

%% The caller's import fun, or what the start bound (read once per call
%% from the instance's node), as `beamr' serves a local call.
run_import(Import, S, L = #{pid := Pid, proxy := Proxy, ref := Ref,
                            mon := Mon}) ->
    Key = {?MODULE, active, Pid},
    Outer = put(Key, {Pid, Proxy, Ref, Mon}),
    try serve_import(Import, S, L)
    after
        case Outer of
            undefined -> erase(Key);
            _ -> put(Key, Outer)
        end
    end.

serve_import(Import, S, L = #{fun_ := Fun, opts := Opts})
  when Fun =/= undefined ->
    {guarded(fun() -> Fun(S, Import, Opts) end), L};
serve_import(Import = #{module := M, func := N}, S, L = #{opts := Opts}) ->
    {Data, L1} = instance_data(L),
    S1 = case S of
             undefined -> maps:get(state, Data, undefined);
             _ -> S
         end,
    Reply = case maps:find({M, N}, maps:get(bound, Data, #{})) of
                {ok, F} ->
                    guarded(fun() -> bound(F, Import, S1) end);
                error ->
                    case maps:get(import_fun, Data, undefined) of
                        undefined -> unhandled;
                        IF -> guarded(fun() -> IF(S1, Import, Opts) end)
                    end
            end,
    {Reply, L1}.

instance_data(L = #{data := none, pid := Pid}) ->
    Data = case rpc(node(Pid), beamr_nif, instance_data, [Pid]) of
               D when is_map(D) -> D;
               _ -> #{}
           end,
    {Data, L#{data := Data}};
instance_data(L = #{data := Data}) ->
    {Data, L}.

bound(F, #{args := Args}, S) when is_function(F, 1) ->
    results(F(Args), S);
bound(F, Import = #{args := Args}, S) ->
    results(F(maps:remove(args, Import), Args), S).

results(Rs, S) when is_list(Rs) -> {ok, Rs, S};
results(_Other, _S) -> bad_return.

guarded(F) ->
    try F()
    catch Class:Reason:Stack -> {'$raise', Class, Reason, Stack}
    end.

%% @doc The proxy of a remote call, on the instance's node: drives the
%% call, forwarding imports to the caller, and sends the result.
-spec proxy(pid(), reference(), pid(), term(), term(), term(), term()) ->
          ok.
proxy(Caller, Ref, Pid, Func, Args, State, Opts) ->
    Self = self(),
    _ = spawn(fun() -> guard(Caller, Self) end),
    Fwd = fun Fwd(S, Import, _Opts) ->
                  Caller ! {Ref, import, Import, S},
                  await_reply(Caller, Ref, Pid, Fwd)
          end,
    Caller ! {Ref, done, beamr:call_state(Pid, Func, Args, Fwd, State, Opts)},
    ok.

%% The caller's answer to an import; meanwhile its import fun may call
%% the instance or read it: this process holds the instance, so it runs
%% those (a nested call's imports go to the caller through `Fwd').
await_reply(Caller, Ref, Pid, Fwd) ->
    receive
        {Ref, reply, {'$raise', C, R, St}} ->
            erlang:raise(C, R, St);
        {Ref, reply, Reply} ->
            Reply;
        {Ref, nested, Op} ->
            Caller ! {Ref, nested_done, run_nested(Op, Pid, Fwd)},
            await_reply(Caller, Ref, Pid, Fwd)
    end.

run_nested({call, Func, Args, State, Opts}, Pid, Fwd) ->
    beamr:call_state(Pid, Func, Args, Fwd, State, Opts);
run_nested({op, F, Args}, Pid, _Fwd) ->
    try apply(beamr, F, [Pid | Args])
    catch Class:Reason:Stack -> {'$raise', Class, Reason, Stack}
    end.

%% Kills the proxy if the caller dies (or its node goes), which ends
%% the call and releases the instance.
guard(Caller, Proxy) ->
    CM = erlang:monitor(process, Caller),
    PM = erlang:monitor(process, Proxy),
    receive
        {'DOWN', CM, process, _, _} -> exit(Proxy, kill);
        {'DOWN', PM, process, _, _} -> ok
    end.

%% @doc `beamr:F(Pid, Args...)' on the instance's node.
-spec remote(pid(), atom(), list()) -> term().
remote(Pid, F, Args) ->
    case get({?MODULE, active, Pid}) of
        undefined ->
            rpc(node(Pid), beamr, F, [Pid | Args]);
        Active ->
            case nested(Active, {op, F, Args}, undefined, undefined, #{}) of
                {'$raise', C, R, St} -> erlang:raise(C, R, St);
                {error, {nodedown, _} = R, _} -> {error, R};
                {error, {proxy_down, _} = R, _} -> {error, R};
                Result -> Result
            end
    end.

rpc(Node, F, Args) ->
    rpc(Node, ?MODULE, F, Args).

%% erpc, with a lost node as an error value (a raise on the other node
%% is raised here).
rpc(Node, M, F, Args) ->
    try erpc:call(Node, M, F, Args)
    catch
        error:{erpc, noconnection} -> {error, {nodedown, Node}}
    end.

%% ------------------------------------------------------------------
%% Migration

%% @doc `beamr:migrate/3': runs on the instance's node.
-spec migrate(pid(), node(), map()) -> {ok, pid()} | {error, term()}.
migrate(Pid, Node, Opts) when node(Pid) =:= node() ->
    migrate_here(Pid, Node, Opts);
migrate(Pid, Node, Opts) ->
    rpc(node(Pid), migrate_here, [Pid, Node, Opts]).

%% @doc Moves a local instance to `Node' (see the module doc).
-spec migrate_here(pid(), node(), map()) -> {ok, pid()} | {error, term()}.
migrate_here(Pid, Node, _Opts) when Node =:= node() ->
    case is_process_alive(Pid) of
        true -> {ok, Pid};
        false -> {error, stopped}
    end;
migrate_here(Pid, Node, Opts) ->
    case process_info(Pid, links) of
        undefined -> {error, stopped};
        {links, [_ | _]} -> {error, {not_migratable, linked}};
        {links, []} ->
            Timeout = maps:get(timeout, Opts, infinity),
            with_lease(Pid, Timeout,
                       fun(Ref) ->
                               move(Pid, Ref, Node, maps:remove(timeout, Opts))
                       end)
    end.

%% Runs `F' holding the instance's lease (granted by its owner once any
%% running call is over), released at the end unless the owner is gone.
%% `{error, timeout}' if the running call does not end in time.
with_lease(Pid, Timeout, F) ->
    Mon = erlang:monitor(process, Pid),
    Pid ! {beamr_acquire, self(), Mon},
    receive
        {beamr_granted, Mon} ->
            try F(Mon)
            after
                Pid ! {beamr_release, self(), Mon},
                erlang:demonitor(Mon, [flush])
            end;
        {'DOWN', Mon, process, Pid, _} ->
            {error, stopped}
    after Timeout ->
        %% Withdrawn; a grant that crossed it is released by the same
        %% message.
        Pid ! {beamr_release, self(), Mon},
        erlang:demonitor(Mon, [flush]),
        receive {beamr_granted, Mon} -> ok after 0 -> ok end,
        {error, timeout}
    end.

move(Pid, Ref, Node, Opts) ->
    {Mod, Creator} = owner_info(Pid, Ref),
    case movable(Mod) of
        ok ->
            Data = case beamr_nif:instance_data(Pid) of
                       D when is_map(D) -> D;
                       _ -> #{}
                   end,
            case beamr_nif:instance_snapshot(Pid) of
                {ok, Snap} -> move(Pid, Ref, Node, Mod, Snap,
                                   start_opts(Data, Creator, Opts));
                Error -> Error
            end;
        Error ->
            Error
    end.

move(Pid, Ref, Node, Mod, Snap, StartOpts) ->
    case start_on(Node, Mod, StartOpts) of
        {ok, New} -> restore_and_hand_over(Pid, Ref, New, Snap);
        {ok, New, start_pending} -> restore_and_hand_over(Pid, Ref, New, Snap);
        Error -> Error
    end.

restore_and_hand_over(Pid, Ref, New, Snap) ->
    case beamr:restore(New, Snap) of
        ok ->
            Pid ! {beamr_migrated, self(), Ref, New},
            receive
                {beamr_migrated, Ref} -> ok;
                {'DOWN', Ref, process, Pid, _} -> ok
            end,
            {ok, New};
        Error ->
            beamr:stop(New),
            Error
    end.

%% The module and the creator, from the owner (which answers in order;
%% it cannot stop meanwhile: this process holds the lease).
owner_info(Pid, Ref) ->
    Pid ! {beamr_get, self(), Ref},
    Pid ! {beamr_get_creator, self(), Ref},
    Mod = receive {beamr_info, Ref, M} -> M end,
    Creator = receive {beamr_creator, Ref, C} -> C end,
    {Mod, Creator}.

%% Imported memories, tables and globals are not in a snapshot.
movable(Mod) ->
    case [{M, N} || {M, N, T} <- beamr:imports(Mod), element(1, T) =/= func] of
        [] -> ok;
        [{M, N} | _] -> {error, {not_migratable, {import, M, N}}}
    end.

%% The new instance: the same bound funs, import fun, state and mode,
%% the same creator (or detached), imports unserved before stay so
%% (lazy), the start function not run (the snapshot holds its work),
%% and the caller's extra start options.
start_opts(Data, Creator, Opts) ->
    Base = maps:with([import_fun, state, '$hb_mode'], Data),
    Creat = case Creator of
                none -> #{detached => true};
                _ -> #{'$creator' => Creator}
            end,
    maps:merge(Base#{imports => maps:get(bound, Data, #{}),
                     lazy_imports => true, '$defer_start' => true},
               maps:merge(Creat, maps:without([node], Opts))).
