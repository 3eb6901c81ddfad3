import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local, listening on 127.0.0.1 only. The jar has no option for the address: its Jetty
 * server binds every interface, so that anyone on the network could read and write the local
 * tables. This starts the same server from the same command line (-port, -dbPath, -sharedDb...),
 * with the host of each of its connectors set to the loopback address before it starts.
 *
 * Compiled once by dynamodb-local.ts into .local/, or run as a source file (JEP 330). Exit code 3:
 * this release of DynamoDB Local is not built as expected (the caller falls back to the jar).
 */
public class LoopbackDynamoDbLocal {
  static final String LOOPBACK = "127.0.0.1";
  static final int INCOMPATIBLE = 3;

  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy;
    Server server;
    try {
      proxy = ServerRunner.createServerFromCommandLineArgs(args);
      Field field = DynamoDBProxyServer.class.getDeclaredField("server");
      field.setAccessible(true);
      server = (Server) field.get(proxy);
    } catch (ReflectiveOperationException | LinkageError | ClassCastException | SecurityException error) {
      incompatible("its server is not built as this launcher expects (" + error + ")");
      return;
    }
    int bound = 0;
    for (Connector connector : server.getConnectors()) {
      if (connector instanceof ServerConnector) {
        ((ServerConnector) connector).setHost(LOOPBACK);
        bound++;
      }
    }
    if (bound == 0 || bound != server.getConnectors().length) {
      incompatible("a connector of DynamoDB Local's Jetty server takes no host");
      return;
    }
    // As the jar's own main() does once the server is built; Jetty's threads keep the JVM running.
    proxy.start();
  }

  static void incompatible(String why) {
    System.err.println("LoopbackDynamoDbLocal: cannot bind DynamoDB Local to " + LOOPBACK + ": " + why);
    System.exit(INCOMPATIBLE);
  }
}
