import ArgumentParser
import BuildInfo

/// `gwops`: the control-plane sync core and console of an API-gateway fleet.
struct Gwops: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gwops",
        abstract: "Sync a gateway with its platform, watch the fleet, decide on orphans.",
        discussion: """
            Files: the configuration is --config, else $GWOPS_CONFIG, else \
            $XDG_CONFIG_HOME/gwops/config.toml, else /etc/gwops/config.toml. On a gateway host the \
            controller (gwops controller, the unit gwops-controller) runs as the account gwops, \
            reads the platform key from /etc/gwops/api-key, keeps the store in /var/lib/gwops and \
            serves /run/gwops/<gateway id>.sock, through which members of gwops-ops act and members \
            of gwops-view watch. Themes: $GWOPS_THEMES, /usr/share/gwops/themes, /etc/gwops/themes. \
            The console logs to $XDG_STATE_HOME/gwops/console.log.

            Environment: GWOPS_READONLY=1 refuses every action; NO_COLOR drops colour; PGPASSWORD \
            is the password of a PostgreSQL store.

            Exit status: 0 success, 1 a failure (named in one sentence on stderr), 2 a usage or \
            configuration error.
            """,
        version: BuildInfo.description,
        subcommands: [
            ConsoleCommand.self, SyncCommand.self, StatusCommand.self, OrphansCommand.self, ControllerCommand.self,
        ])
}
