import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Starts a real SolrCloud on the loopback interface from the jars Maven
 * resolved: solr-test-framework's MiniSolrCloudCluster, i.e. an embedded
 * ZooKeeper and NODES Solr nodes (Jetty + CoreContainer in cloud mode, each on
 * its own port, talking to each other over HTTP as separate servers do). CKAN's
 * configset (CONFIGSET_DIR: solrconfig.xml, schema.xml...) is uploaded to
 * ZooKeeper and a collection COLLECTION is created with SHARDS shards of
 * REPLICAS replicas each.
 *
 * Usage: java -cp 'lib/*:classes' OcsSolrCloudLauncher BASE_DIR CONFIGSET_DIR COLLECTION
 *            [NODES [SHARDS [REPLICAS]]]
 *
 * Lines on stdout starting with "OCS-SOLRCLOUD " are for the caller:
 *   OCS-SOLRCLOUD ready zk=HOST:PORT collection=NAME seconds=S nodes=URL URL...
 * Commands read from stdin, one a line (each answered by a line):
 *   stop N   stop node N (0-based) cleanly and wait until each shard has
 *            an active leader on a live node   -> OCS-SOLRCLOUD stopped N
 *   start N  start node N again on its port and wait until every replica is
 *            active again                       -> OCS-SOLRCLOUD started N URL
 *   quit (or end of stdin, or SIGTERM)          -> shuts the cluster down
 */
public final class OcsSolrCloudLauncher {
  private static final String PREFIX = "OCS-SOLRCLOUD ";
  private static final int WAIT_SECONDS = 120;

  public static void main(String[] args) throws Exception {
    if (args.length < 3 || args.length > 6) {
      System.err.println(
          "usage: OcsSolrCloudLauncher BASE_DIR CONFIGSET_DIR COLLECTION [NODES [SHARDS [REPLICAS]]]");
      System.exit(2);
    }
    long started = System.nanoTime();
    Path base = Paths.get(args[0]).toAbsolutePath();
    Path configset = Paths.get(args[1]).toAbsolutePath();
    String collection = args[2];
    int nodes = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    int shards = args.length > 4 ? Integer.parseInt(args[4]) : 2;
    int replicas = args.length > 5 ? Integer.parseInt(args[5]) : 2;
    // JettySolrRunner binds to this address (the nodes' solr.xml names 127.0.0.1 too).
    System.setProperty("host", System.getProperty("host", "127.0.0.1"));

    MiniSolrCloudCluster cluster =
        new MiniSolrCloudCluster.Builder(nodes, base)
            .addConfig(collection, configset)
            .build();
    Thread hook = new Thread(() -> shutdown(cluster));
    Runtime.getRuntime().addShutdownHook(hook);

    CollectionAdminRequest.createCollection(collection, collection, shards, replicas)
        .process(cluster.getSolrClient());
    cluster.waitForActiveCollection(collection, WAIT_SECONDS, TimeUnit.SECONDS, shards,
        shards * replicas);

    // The nodes by number, kept: the cluster forgets a node while it is stopped.
    List<JettySolrRunner> runners = new ArrayList<>(cluster.getJettySolrRunners());
    List<String> urls = new ArrayList<>();
    for (JettySolrRunner jetty : runners) {
      urls.add(jetty.getBaseUrl().toString());
    }
    say(String.format("ready zk=%s collection=%s seconds=%.1f nodes=%s",
        cluster.getZkServer().getZkAddress(), collection,
        (System.nanoTime() - started) / 1e9, String.join(" ", urls)));

    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] words = line.trim().split("\\s+");
      try {
        if (words.length == 2 && words[0].equals("stop")) {
          int n = Integer.parseInt(words[1]);
          JettySolrRunner jetty = cluster.stopJettySolrRunner(runners.get(n));
          cluster.waitForJettyToStop(jetty);
          // Until every shard has an active leader on a live node again,
          // updates to a shard whose leader was on node N would fail.
          cluster.getZkStateReader().waitForState(collection, WAIT_SECONDS, TimeUnit.SECONDS,
              (liveNodes, state) -> state != null && state.getSlices().stream().allMatch(
                  slice -> slice.getLeader() != null && slice.getLeader().isActive(liveNodes)));
          say("stopped " + n);
        } else if (words.length == 2 && words[0].equals("start")) {
          int n = Integer.parseInt(words[1]);
          JettySolrRunner jetty = cluster.startJettySolrRunner(runners.get(n));
          cluster.waitForNode(jetty, WAIT_SECONDS);
          cluster.waitForActiveCollection(collection, WAIT_SECONDS, TimeUnit.SECONDS, shards,
              shards * replicas);
          say("started " + n + " " + jetty.getBaseUrl());
        } else if (words.length == 1 && words[0].equals("quit")) {
          break;
        } else if (!line.isBlank()) {
          say("error unknown command: " + line.trim());
        }
      } catch (Exception e) {
        say("error " + e);
      }
    }
    Runtime.getRuntime().removeShutdownHook(hook);
    shutdown(cluster);
    say("shut down");
    System.exit(0);
  }

  private static void say(String message) {
    System.out.println(PREFIX + message);
    System.out.flush();
  }

  private static void shutdown(MiniSolrCloudCluster cluster) {
    try {
      cluster.shutdown();
    } catch (Exception e) {
      System.err.println("SolrCloud shutdown failed: " + e);
    }
  }
}
