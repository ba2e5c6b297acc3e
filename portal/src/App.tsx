import { Redirect, Route, Switch } from 'wouter';
import { SessionProvider, useSessionQuery } from './api/session.tsx';
import { Layout } from './components/Layout.tsx';
import { ErrorState, Loading } from './components/States.tsx';
import { AccessRequestsPage } from './pages/AccessRequests.tsx';
import { HasOffersPage } from './pages/HasOffers.tsx';
import { AccountPage } from './pages/Account.tsx';
import { AdvertisersPage } from './pages/Advertisers.tsx';
import { ApplicationsPage } from './pages/Applications.tsx';
import { AuditPage } from './pages/Audit.tsx';
import { ConfirmEmail, ForgotPassword, SetPassword, SignIn, SignUp } from './pages/AuthPages.tsx';
import { ConversionsPage } from './pages/Conversions.tsx';
import { DashboardPage } from './pages/Dashboard.tsx';
import { MarketplaceOfferPage, MarketplacePage } from './pages/Marketplace.tsx';
import { NotificationsPage } from './pages/Notifications.tsx';
import { OfferDetailPage } from './pages/OfferDetail.tsx';
import { NewOfferPage, OffersPage } from './pages/Offers.tsx';
import { PartnerDetailPage, PartnersPage } from './pages/Partners.tsx';
import { PostbacksPage } from './pages/Postbacks.tsx';
import { RefusedPage } from './pages/Refused.tsx';
import { ReportsPage } from './pages/Reports.tsx';
import { SettingsPage } from './pages/Settings.tsx';
import { UsersPage } from './pages/Users.tsx';

/** Pages anyone may open: signing in, applying, and where emailed links lead. */
const PUBLIC_PAGES = (
  <Switch>
    <Route path="/sign-up" component={SignUp} />
    <Route path="/forgot-password" component={ForgotPassword} />
    <Route path="/reset-password">{() => <SetPassword purpose="reset" />}</Route>
    <Route path="/accept-invitation">{() => <SetPassword purpose="invitation" />}</Route>
    <Route path="/confirm-email" component={ConfirmEmail} />
    <Route path="/sign-in" component={SignIn} />
    <Route>
      <Redirect to="/sign-in" />
    </Route>
  </Switch>
);

export function App() {
  const session = useSessionQuery();
  if (session.isPending) return <Loading what="Partnerline" />;
  if (session.isError) return <ErrorState error={session.error} what="Partnerline" />;
  if (!session.data) return PUBLIC_PAGES;
  return (
    <SessionProvider session={session.data}>
      <Layout>
        <Switch>
          <Route path="/" component={DashboardPage} />
          <Route path="/offers" component={OffersPage} />
          <Route path="/offers/new" component={NewOfferPage} />
          <Route path="/offers/:id">{(params) => <OfferDetailPage id={params.id} />}</Route>
          <Route path="/marketplace" component={MarketplacePage} />
          <Route path="/marketplace/:id">{(params) => <MarketplaceOfferPage id={params.id} />}</Route>
          <Route path="/partners" component={PartnersPage} />
          <Route path="/partners/:id">{(params) => <PartnerDetailPage id={params.id} />}</Route>
          <Route path="/applications" component={ApplicationsPage} />
          <Route path="/advertisers" component={AdvertisersPage} />
          <Route path="/reports" component={ReportsPage} />
          <Route path="/conversions" component={ConversionsPage} />
          <Route path="/refused" component={RefusedPage} />
          <Route path="/postbacks" component={PostbacksPage} />
          <Route path="/notifications" component={NotificationsPage} />
          <Route path="/users" component={UsersPage} />
          <Route path="/access-requests" component={AccessRequestsPage} />
          <Route path="/hasoffers" component={HasOffersPage} />
          <Route path="/settings" component={SettingsPage} />
          <Route path="/audit" component={AuditPage} />
          <Route path="/account" component={AccountPage} />
          <Route path="/sign-in">
            <Redirect to="/" />
          </Route>
          <Route>
            <p>There is no such page. Choose one from the menu.</p>
          </Route>
        </Switch>
      </Layout>
    </SessionProvider>
  );
}
