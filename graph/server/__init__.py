"""The local Neo4j Community server: installed from Maven Central, run as a detached JVM.

Everything lives in ``$WBKG_HOME/neo4j`` (``conf/``, ``data/``, ``logs/console.log``, ``run/wbkg.pid``,
``classpath.txt``). ``install`` resolves the server and the Neo4j Browser with Maven (``pom.xml`` beside
this file; the jars stay in ``~/.m2`` and ``classpath.txt`` lists them), writes ``conf/neo4j.conf`` from
``neo4j.conf.template`` and sets the initial password. ``start`` spawns the JVM in its own session, like
``neo4j console``, and returns once Bolt accepts a real login; ``stop`` ends it (SIGTERM, then SIGKILL).

The server listens on 127.0.0.1 only, with authentication on. Progress goes to stderr; the password is
never printed.

Modules: ``toolchain`` (Java, Maven, the pinned version, the classpath), ``install`` (the home's layout,
``neo4j.conf``, the initial password, neo4j-admin), ``process`` (POSIX: detached JVMs, pids, signals,
ports, locks) and ``local`` (``LocalServer``, which puts them together).
"""

from wbkg.graph.server.local import LocalServer, ServerStatus
from wbkg.graph.server.process import pid_alive
from wbkg.graph.server.toolchain import MIN_JAVA, java_executable, java_version, maven_version, neo4j_version

__all__ = ["MIN_JAVA", "LocalServer", "ServerStatus", "java_executable", "java_version", "maven_version",
           "neo4j_version", "pid_alive"]
