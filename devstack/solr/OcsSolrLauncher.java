import java.nio.file.Path;
import java.nio.file.Paths;

import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Starts a standalone Solr 9 server (the real Jetty + CoreContainer) from the
 * jars Maven resolved, on the loopback interface.
 *
 * Usage: java -cp 'lib/*:classes' OcsSolrLauncher SOLR_HOME PORT
 */
public final class OcsSolrLauncher {
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: OcsSolrLauncher SOLR_HOME PORT");
      System.exit(2);
    }
    Path home = Paths.get(args[0]).toAbsolutePath();
    int port = Integer.parseInt(args[1]);
    // JettySolrRunner reads the bind address from this property.
    System.setProperty("host", System.getProperty("host", "127.0.0.1"));
    JettyConfig config = JettyConfig.builder()
        .setPort(port)
        .setContext("/solr")
        .stopAtShutdown(true)
        .build();
    JettySolrRunner runner = new JettySolrRunner(home.toString(), config);
    runner.start();
    System.out.println("Solr ready at " + runner.getBaseUrl());
    Thread.currentThread().join();
  }
}
